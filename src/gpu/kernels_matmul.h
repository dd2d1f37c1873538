/* kernels_matmul.h — kernel-table rows and parameter structs of the matmul group (linear layers: tiled prefill and mat-vec decode matmuls for f32/f16/bf16 weights, patch embedding).
 * Included by gpu/kernels.h only; see there for the row format. */
#ifndef VKVLM_GPU_KERNELS_MATMUL_H
#define VKVLM_GPU_KERNELS_MATMUL_H

#include <stdint.h>

#define GPU_KERNELS_MATMUL(X)

#endif
