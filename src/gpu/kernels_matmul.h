/* kernels_matmul.h — kernel-table rows and parameter structs of the matmul group (linear layers: tiled prefill
 * and mat-vec decode matmuls for f32 / f16 / bf16 / q8_0 / q4_0 weights, patch embedding).
 * Included by gpu/kernels.h only; see there for the row format.
 *
 * Linear layers y (+)= x . w^T (+ bias): x, y f32; w row-major [N,K] in its checkpoint dtype or quantized.
 * Each kernel name is matmul_<path>_<weights>:
 *   path     tiled  register-tiled prefill kernel (any M)
 *            vec    mat-vec for M <= 8, subgroupAdd reduction (needs GPU_SUBGROUP_ARITHMETIC)
 *            vecsh  mat-vec for M <= 8, shared-memory tree reduction (power-of-two workgroup)
 *   weights  f32; f16 / bf16 read through 16-bit storage (caps.storage_16bit); f16p / bf16p read as packed
 *            uint32 pairs, low half first, on any device; q8_0 / q4_0 blocks of 32 elements along K
 *            (K % 32 == 0), read as uint32 words on any device:
 *              q8_0  9 words: word 0 bits 0..15 the f16 scale d; words 1..8 32 int8 codes, q[4i + b] in
 *                    bits 8b.. of word 1 + i; element = d * q
 *              q4_0  5 words: word 0 the f16 scale d; words 1..4 16 bytes, byte j = element j in the low
 *                    nibble, element j + 16 in the high one; element = d * (nibble - 8)
 *            (gpu/quant.h has the full definition and the host quantizers).
 * All take bindings x, w, bias, y (w may be one row range of a larger weight: see gpu_params_linear). */
#ifndef VKVLM_GPU_KERNELS_MATMUL_H
#define VKVLM_GPU_KERNELS_MATMUL_H

#include <stdint.h>

/* y[m, y_col + j] (+)= sum_k x[m,k] * w[j,k] (+ bias[y_col + j]) for j < n */
typedef struct gpu_params_linear {
    uint32_t m;          /* rows of x and y (tokens) */
    uint32_t n;          /* rows of this weight binding = columns of y written */
    uint32_t k;          /* columns of x and w (input features) */
    uint32_t has_bias;   /* 0: the bias binding is ignored (bind any buffer) */
    uint32_t y_stride;   /* floats per row of y (the layer's full output width) */
    uint32_t y_col;      /* first column of y written; also the bias index of weight row 0 */
    uint32_t accumulate; /* 1: y += result (bias included), a residual add fused in, y read too; 0: y = result */
} gpu_params_linear;

#define GPU_KERNELS_MATMUL_ROW(X, path, PATH, wt, WT) \
    X(GPU_KERNEL_MATMUL_##PATH##_##WT, "matmul_" #path "_" #wt, 4, 0x8, gpu_params_linear)

/* x, w, bias, y for every row */
#define GPU_KERNELS_MATMUL_PATH(X, path, PATH)           \
    GPU_KERNELS_MATMUL_ROW(X, path, PATH, f32, F32)      \
    GPU_KERNELS_MATMUL_ROW(X, path, PATH, f16, F16)      \
    GPU_KERNELS_MATMUL_ROW(X, path, PATH, f16p, F16P)    \
    GPU_KERNELS_MATMUL_ROW(X, path, PATH, bf16, BF16)    \
    GPU_KERNELS_MATMUL_ROW(X, path, PATH, bf16p, BF16P)  \
    GPU_KERNELS_MATMUL_ROW(X, path, PATH, q8_0, Q8_0)    \
    GPU_KERNELS_MATMUL_ROW(X, path, PATH, q4_0, Q4_0)

#define GPU_KERNELS_MATMUL(X)                    \
    GPU_KERNELS_MATMUL_PATH(X, tiled, TILED)     \
    GPU_KERNELS_MATMUL_PATH(X, vec, VEC)         \
    GPU_KERNELS_MATMUL_PATH(X, vecsh, VECSH)

#endif
