/* ops_reduction.h — op wrappers of the token-reduction kernel group (see gpu/ops.h for the conventions). */
#ifndef VKVLM_GPU_OPS_REDUCTION_H
#define VKVLM_GPU_OPS_REDUCTION_H

#include "gpu/gpu.h"

#endif
