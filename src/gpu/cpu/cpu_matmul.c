/* cpu_matmul.c — CPU references of the matmul kernel group (gpu/kernels_matmul.h): obvious loops, double
 * accumulation for long sums. The 16-bit-storage and packed variants of a weight dtype have the same bytes
 * (element e at bytes 2e..2e+1, little-endian), so they share one reference; so do the tiled and mat-vec
 * paths, which differ only in speed. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "gpu/cpu/cpu_kernels.h"

typedef enum weight_kind { WEIGHT_F32, WEIGHT_F16, WEIGHT_BF16 } weight_kind;

/* IEEE binary16 to float, subnormals, infinities and NaN included. */
static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
    float mag;
    if (exp == 0) mag = ldexpf((float)mant, -24);
    else if (exp == 31) mag = mant ? NAN : INFINITY;
    else mag = ldexpf((float)(mant | 0x400), (int)exp - 25);
    uint32_t bits;
    memcpy(&bits, &mag, sizeof bits);
    bits |= sign;
    memcpy(&mag, &bits, sizeof mag);
    return mag;
}

static float bf16_to_float(uint16_t b) {
    uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Element e of a weight binding. */
static double weight_at(const void *w, weight_kind kind, size_t e) {
    if (kind == WEIGHT_F32) return ((const float *)w)[e];
    uint16_t h;
    memcpy(&h, (const unsigned char *)w + 2 * e, sizeof h);
    return kind == WEIGHT_F16 ? half_to_float(h) : bf16_to_float(h);
}

/* y[m, y_col + j] = sum_k x[m,k] * w[j,k] (+ bias[y_col + j]) */
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
            y[(size_t)m * p->y_stride + p->y_col + j] = (float)acc;
        }
    }
}

static void cpu_linear_f32(const cpu_kernel_call *c) { cpu_linear(c, WEIGHT_F32); }
static void cpu_linear_f16(const cpu_kernel_call *c) { cpu_linear(c, WEIGHT_F16); }
static void cpu_linear_bf16(const cpu_kernel_call *c) { cpu_linear(c, WEIGHT_BF16); }

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
    default: return 0;
    }
}
