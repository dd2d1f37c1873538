/* kernels_sampling.h — kernel-table rows of the sampling group: greedy argmax on the device, so a greedy
 * decode step reads back one token id instead of the whole logits row. Included by gpu/kernels.h only. */
#ifndef VKVLM_GPU_KERNELS_SAMPLING_H
#define VKVLM_GPU_KERNELS_SAMPLING_H

#include <stdint.h>

/* out[0] = index of the largest x[i], i < n (the lowest index among equals; NaN never wins). */
typedef struct gpu_params_argmax {
    uint32_t n; /* elements */
} gpu_params_argmax;

#define GPU_KERNELS_SAMPLING(X) \
    X(GPU_KERNEL_ARGMAX_F32, "argmax_f32", 2, 0x2, gpu_params_argmax) /* x, out (u32 index) */

#endif
