/* ops_sampling.h — op wrappers of the sampling kernel group (see gpu/ops.h for the conventions). */
#ifndef VKVLM_GPU_OPS_SAMPLING_H
#define VKVLM_GPU_OPS_SAMPLING_H

#include "gpu/gpu.h"

/* out (u32 [1]) = argmax of x (n) f32: the lowest index among equal values, NaN never chosen. */
vkvlm_status gpu_op_argmax_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding x, uint32_t n, vkvlm_error *err);

#endif
