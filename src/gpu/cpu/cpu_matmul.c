/* cpu_matmul.c — CPU references of the matmul kernel group (gpu/kernels_matmul.h): obvious loops, double
 * accumulation for long sums. The 16-bit-storage and packed variants of a weight dtype have the same bytes
 * (element e at bytes 2e..2e+1, little-endian), so they share one reference; so do the tiled and mat-vec
 * paths, which differ only in speed. Quantized blocks are decoded here byte by byte from the format's
 * definition, not through gpu/quant.c's dequantizer, so the two check each other. */
#include <stddef.h>

#include "gpu/cpu/cpu_kernels.h"
#include "gpu/quant.h"

typedef enum weight_kind { WEIGHT_F32, WEIGHT_F16, WEIGHT_BF16, WEIGHT_Q8_0, WEIGHT_Q4_0 } weight_kind;

/* Element e of a weight binding. q8_0 / q4_0 (gpu/quant.h): element e is element j = e % 32 of block e / 32,
 * whose bytes 0..1 are the f16 scale d; q8_0 code j is the signed byte 4 + j, q4_0's the low (j < 16) or high
 * nibble of byte 4 + j % 16, minus 8. The kernels compute d * code in f32, which is exact (11 x 8 bits), so
 * both sides see the same values. */
static double weight_at(const void *w, weight_kind kind, size_t e) {
    const unsigned char *bytes = w;
    if (kind == WEIGHT_F32) return ((const float *)w)[e];
    if (kind == WEIGHT_F16 || kind == WEIGHT_BF16) {
        uint16_t h = (uint16_t)(bytes[2 * e] | bytes[2 * e + 1] << 8);
        return kind == WEIGHT_F16 ? gpu_f16_to_f32(h) : gpu_bf16_to_f32(h);
    }
    size_t j = e % 32;
    const unsigned char *block = bytes + e / 32 * (kind == WEIGHT_Q8_0 ? 36 : 20);
    double d = gpu_f16_to_f32((uint16_t)(block[0] | block[1] << 8));
    int code = kind == WEIGHT_Q8_0 ? (block[4 + j] < 128 ? block[4 + j] : block[4 + j] - 256)
                                   : (j < 16 ? block[4 + j] & 0xF : block[4 + j - 16] >> 4) - 8;
    return d * code;
}

/* y[m, y_col + j] (+)= sum_k x[m,k] * w[j,k] (+ bias[y_col + j]) */
static void cpu_linear(const cpu_kernel_call *c, weight_kind kind) {
    const gpu_params_linear *p = c->params;
    const float *x = c->bindings[0], *bias = c->bindings[2];
    const void *w = c->bindings[1];
    float *y = c->bindings[3];
    for (uint32_t m = 0; m < p->m; m++) {
        for (uint32_t j = 0; j < p->n; j++) {
            double acc = p->has_bias ? bias[p->y_col + j] : 0.0;
            for (uint32_t k = 0; k < p->k; k++)
                acc += (double)x[(size_t)m * p->k + k] * weight_at(w, kind, (size_t)j * p->k + k);
            float *out = &y[(size_t)m * p->y_stride + p->y_col + j];
            *out = p->accumulate ? (float)(*out + acc) : (float)acc;
        }
    }
}

static void cpu_linear_f32(const cpu_kernel_call *c) { cpu_linear(c, WEIGHT_F32); }
static void cpu_linear_f16(const cpu_kernel_call *c) { cpu_linear(c, WEIGHT_F16); }
static void cpu_linear_bf16(const cpu_kernel_call *c) { cpu_linear(c, WEIGHT_BF16); }
static void cpu_linear_q8_0(const cpu_kernel_call *c) { cpu_linear(c, WEIGHT_Q8_0); }
static void cpu_linear_q4_0(const cpu_kernel_call *c) { cpu_linear(c, WEIGHT_Q4_0); }

cpu_kernel_fn cpu_lookup_matmul(gpu_kernel kernel) {
    switch (kernel) {
    case GPU_KERNEL_MATMUL_TILED_F32:
    case GPU_KERNEL_MATMUL_VEC_F32:
    case GPU_KERNEL_MATMUL_VECSH_F32: return cpu_linear_f32;
    case GPU_KERNEL_MATMUL_TILED_F16:
    case GPU_KERNEL_MATMUL_TILED_F16P:
    case GPU_KERNEL_MATMUL_VEC_F16:
    case GPU_KERNEL_MATMUL_VEC_F16P:
    case GPU_KERNEL_MATMUL_VECSH_F16:
    case GPU_KERNEL_MATMUL_VECSH_F16P: return cpu_linear_f16;
    case GPU_KERNEL_MATMUL_TILED_BF16:
    case GPU_KERNEL_MATMUL_TILED_BF16P:
    case GPU_KERNEL_MATMUL_VEC_BF16:
    case GPU_KERNEL_MATMUL_VEC_BF16P:
    case GPU_KERNEL_MATMUL_VECSH_BF16:
    case GPU_KERNEL_MATMUL_VECSH_BF16P: return cpu_linear_bf16;
    case GPU_KERNEL_MATMUL_TILED_Q8_0:
    case GPU_KERNEL_MATMUL_VEC_Q8_0:
    case GPU_KERNEL_MATMUL_VECSH_Q8_0: return cpu_linear_q8_0;
    case GPU_KERNEL_MATMUL_TILED_Q4_0:
    case GPU_KERNEL_MATMUL_VEC_Q4_0:
    case GPU_KERNEL_MATMUL_VECSH_Q4_0: return cpu_linear_q4_0;
    default: return 0;
    }
}
