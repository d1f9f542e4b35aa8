#include "worthit/harness/runner.h"
