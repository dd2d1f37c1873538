/* ops_matmul.h — op wrappers of the matmul kernel group (see gpu/ops.h for the conventions). */
#ifndef VKVLM_GPU_OPS_MATMUL_H
#define VKVLM_GPU_OPS_MATMUL_H

#include "gpu/gpu.h"

#endif
