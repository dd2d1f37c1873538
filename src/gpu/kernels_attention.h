/* kernels_attention.h — kernel-table rows and parameter structs of the attention group (attention: flash-style prefill with log-sum-exp, decode against a KV cache, FastV score row).
 * Included by gpu/kernels.h only; see there for the row format. */
#ifndef VKVLM_GPU_KERNELS_ATTENTION_H
#define VKVLM_GPU_KERNELS_ATTENTION_H

#include <stdint.h>

#define GPU_KERNELS_ATTENTION(X)

#endif
