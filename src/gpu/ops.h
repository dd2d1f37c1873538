/* ops.h — the op layer: one function per transformer op, backend-neutral. Each picks the kernel variant and
 * grid from the device's caps and records one or more dispatches into a command. Nothing here allocates
 * device memory: callers pass views of buffers they planned.
 *
 * Contracts are stated per op, output first (llama2.c style). Shapes are row-major, outer to inner. */
#ifndef VKVLM_GPU_OPS_H
#define VKVLM_GPU_OPS_H

#include "gpu/gpu.h"

/* out (n) = a (n) + b (n), f32. */
vkvlm_status gpu_op_add_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding a, gpu_binding b, uint32_t n, vkvlm_error *err);

/* y (m,n) = x (m,k) @ w (n,k)^T + bias (n), all f32. bias.buffer NULL: no bias. */
vkvlm_status gpu_op_matmul_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, gpu_binding w, gpu_binding bias, uint32_t m,
                               uint32_t n, uint32_t k, vkvlm_error *err);

/* A binding of the whole buffer. */
static inline gpu_binding gpu_whole(gpu_buffer *buffer) { return (gpu_binding){buffer, 0, 0}; }

/* Each kernel group's ops (ops_<group>.c). */
#include "gpu/ops_attention.h"
#include "gpu/ops_elementwise.h"
#include "gpu/ops_matmul.h"
#include "gpu/ops_reduction.h"
#include "gpu/ops_sampling.h"
#include "gpu/ops_vision.h"

#endif
