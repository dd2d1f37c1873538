/* cpu_kernels.c — reference implementations of the kernel table (see cpu_kernels.h). Accumulation is in
 * double where a sum runs long, so the reference is at least as accurate as any GPU variant. */
#include "gpu/cpu/cpu_kernels.h"

#include <stddef.h>

/* out = a + b */
static void cpu_add_f32(const cpu_kernel_call *c) {
    const gpu_params_binary *p = c->params;
    const float *a = c->bindings[0], *b = c->bindings[1];
    float *out = c->bindings[2];
    for (uint32_t i = 0; i < p->n; i++) out[i] = a[i] + b[i];
}

/* y (m,n) = x (m,k) @ w (n,k)^T + bias (n) */
static void cpu_matmul_f32(const cpu_kernel_call *c) {
    const gpu_params_matmul *p = c->params;
    const float *x = c->bindings[0], *w = c->bindings[1], *bias = c->bindings[2];
    float *y = c->bindings[3];
    for (uint32_t m = 0; m < p->m; m++) {
        for (uint32_t n = 0; n < p->n; n++) {
            double acc = p->has_bias ? bias[n] : 0.0;
            for (uint32_t k = 0; k < p->k; k++) acc += (double)x[(size_t)m * p->k + k] * w[(size_t)n * p->k + k];
            y[(size_t)m * p->n + n] = (float)acc;
        }
    }
}

cpu_kernel_fn cpu_kernel_lookup(gpu_kernel kernel) {
    if ((int)kernel < 0 || kernel >= GPU_KERNEL_COUNT) return NULL;
    switch (kernel) {
    case GPU_KERNEL_ADD_F32: return cpu_add_f32;
    case GPU_KERNEL_MATMUL_F32: return cpu_matmul_f32;
    default: break;
    }
    cpu_kernel_fn fn = cpu_lookup_matmul(kernel);
    if (!fn) fn = cpu_lookup_elementwise(kernel);
    if (!fn) fn = cpu_lookup_attention(kernel);
    if (!fn) fn = cpu_lookup_vision(kernel);
    if (!fn) fn = cpu_lookup_sampling(kernel);
    if (!fn) fn = cpu_lookup_reduction(kernel);
    return fn;
}
