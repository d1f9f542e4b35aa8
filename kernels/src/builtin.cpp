#include "worthit/kernels/builtin.h"

namespace worthit::kernels {

void register_builtin(Registry& registry) { (void)registry; }

}  // namespace worthit::kernels
