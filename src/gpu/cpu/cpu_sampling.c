/* cpu_sampling.c — CPU references of the sampling kernel group (gpu/kernels_sampling.h). */
#include <math.h>

#include "gpu/cpu/cpu_kernels.h"

/* out[0] = argmax x, lowest index among equals, NaN never chosen (0 when every value is NaN) */
static void cpu_argmax_f32(const cpu_kernel_call *c) {
    const gpu_params_argmax *p = c->params;
    const float *x = c->bindings[0];
    uint32_t *out = c->bindings[1];
    uint32_t best = 0;
    int found = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        if (isnan(x[i])) continue;
        if (!found || x[i] > x[best]) best = i;
        found = 1;
    }
    out[0] = best;
}

cpu_kernel_fn cpu_lookup_sampling(gpu_kernel kernel) {
    switch (kernel) {
    case GPU_KERNEL_ARGMAX_F32: return cpu_argmax_f32;
    default: return 0;
    }
}
