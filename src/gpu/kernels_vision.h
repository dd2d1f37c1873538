/* kernels_vision.h — kernel-table rows and parameter structs of the vision group (patch extraction for the
 * patch-embedding convolution). Included by gpu/kernels.h only; see there for the row format. */
#ifndef VKVLM_GPU_KERNELS_VISION_H
#define VKVLM_GPU_KERNELS_VISION_H

#include <stdint.h>

/* out[p, c*P*P + y*P + x] = pixels[c, gy*P + y, gx*P + x] for patch p = gy*grid_w + gx: the im2col of a
 * stride-P, kernel-P convolution, columns ordered like a conv weight [D, C, P, P] read as [D, C*P*P], so the
 * patch embedding is one linear layer on the result. */
typedef struct gpu_params_im2col {
    uint32_t channels; /* C */
    uint32_t height;   /* H of the pixel tensor */
    uint32_t width;    /* W */
    uint32_t patch;    /* P */
    uint32_t grid_h;   /* patches per column: H / P (the remainder rows are dropped, like the convolution) */
    uint32_t grid_w;   /* patches per row: W / P */
} gpu_params_im2col;

#define GPU_KERNELS_VISION(X) \
    X(GPU_KERNEL_PATCH_IM2COL_F32, "patch_im2col_f32", 2, 0x2, gpu_params_im2col) /* pixels, patches */

#endif
