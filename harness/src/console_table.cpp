#include "worthit/harness/console_table.h"
