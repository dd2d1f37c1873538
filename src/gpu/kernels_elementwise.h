/* kernels_elementwise.h — kernel-table rows and parameter structs of the elementwise group (element-wise ops, activations, norms, softmax, rope, gathers, top-k, merges, token-grid ops).
 * Included by gpu/kernels.h only; see there for the row format. */
#ifndef VKVLM_GPU_KERNELS_ELEMENTWISE_H
#define VKVLM_GPU_KERNELS_ELEMENTWISE_H

#include <stdint.h>

#define GPU_KERNELS_ELEMENTWISE(X)

#endif
