/* ops_attention.h — op wrappers of the attention kernel group (see gpu/ops.h for the conventions). */
#ifndef VKVLM_GPU_OPS_ATTENTION_H
#define VKVLM_GPU_OPS_ATTENTION_H

#include "gpu/gpu.h"

#endif
