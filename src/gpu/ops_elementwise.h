/* ops_elementwise.h — op wrappers of the elementwise kernel group (see gpu/ops.h for the conventions). */
#ifndef VKVLM_GPU_OPS_ELEMENTWISE_H
#define VKVLM_GPU_OPS_ELEMENTWISE_H

#include "gpu/gpu.h"

#endif
