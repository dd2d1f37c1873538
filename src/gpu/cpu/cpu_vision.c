/* cpu_vision.c — CPU references of the vision kernel group (gpu/kernels_vision.h). */
#include <stddef.h>

#include "gpu/cpu/cpu_kernels.h"

/* patches (grid_h*grid_w, C*P*P) = im2col(pixels (C, H, W)) */
static void cpu_patch_im2col_f32(const cpu_kernel_call *c) {
    const gpu_params_im2col *p = c->params;
    const float *pixels = c->bindings[0];
    float *patches = c->bindings[1];
    size_t out = 0;
    for (uint32_t gy = 0; gy < p->grid_h; gy++)
        for (uint32_t gx = 0; gx < p->grid_w; gx++)
            for (uint32_t ch = 0; ch < p->channels; ch++)
                for (uint32_t y = 0; y < p->patch; y++)
                    for (uint32_t x = 0; x < p->patch; x++, out++)
                        patches[out] = pixels[((size_t)ch * p->height + gy * p->patch + y) * p->width + gx * p->patch + x];
}

cpu_kernel_fn cpu_lookup_vision(gpu_kernel kernel) {
    switch (kernel) {
    case GPU_KERNEL_PATCH_IM2COL_F32: return cpu_patch_im2col_f32;
    default: return 0;
    }
}
