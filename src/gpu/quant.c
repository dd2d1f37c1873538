/* quant.c — see quant.h: the q8_0 / q4_0 quantizers and their inverse, byte by byte (so the layout does not
 * depend on the host's endianness), and the binary16 / bfloat16 conversions. */
#include "gpu/quant.h"

#include <math.h>
#include <string.h>

/* ---------------------------------------------------------------- 16-bit floats */

uint16_t gpu_f16_from_f32(float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    uint32_t sign = (bits >> 16) & 0x8000u, exp = (bits >> 23) & 0xFF, mant = bits & 0x7FFFFFu;
    if (exp == 0xFF) return (uint16_t)(sign | (mant ? 0x7E00u : 0x7C00u));
    if (exp >= 143) return (uint16_t)(sign | 0x7C00u); /* 2^16 and up: beyond the largest half */
    if (exp < 102) return (uint16_t)sign;              /* below 2^-25, half the smallest subnormal */
    uint32_t shift, value;
    if (exp < 113) { /* subnormal half: the implicit bit made explicit, shifted down */
        mant |= 0x800000u;
        shift = 126 - exp;
        value = mant >> shift;
    } else {
        shift = 13;
        value = ((exp - 112) << 10) | (mant >> 13);
    }
    uint32_t rest = mant & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    /* a carry out of the mantissa bumps the exponent, which is right, up to 0x7C00 (infinity) */
    if (rest > halfway || (rest == halfway && (value & 1))) value++;
    return (uint16_t)(sign | value);
}

float gpu_f16_to_f32(uint16_t h) {
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

uint16_t gpu_bf16_from_f32(float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((bits >> 16) | 0x40); /* NaN: stay one, quietly */
    return (uint16_t)((bits + 0x7FFFu + ((bits >> 16) & 1)) >> 16);
}

float gpu_bf16_to_f32(uint16_t b) {
    uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* ---------------------------------------------------------------- shapes */

bool gpu_weight_dtype_quantized(gpu_weight_dtype dtype) {
    return dtype == GPU_WEIGHT_Q8_0 || dtype == GPU_WEIGHT_Q4_0;
}

bool gpu_quant_shape_ok(gpu_weight_dtype dtype, uint32_t k) {
    switch (dtype) {
    case GPU_WEIGHT_F32:
    case GPU_WEIGHT_F16:
    case GPU_WEIGHT_BF16: return k > 0;
    case GPU_WEIGHT_Q8_0:
    case GPU_WEIGHT_Q4_0: return k > 0 && k % GPU_QUANT_BLOCK == 0;
    }
    return false;
}

uint64_t gpu_quant_row_bytes(gpu_weight_dtype dtype, uint32_t k) {
    if (!gpu_quant_shape_ok(dtype, k)) return 0;
    switch (dtype) {
    case GPU_WEIGHT_F32: return (uint64_t)k * 4;
    case GPU_WEIGHT_F16:
    case GPU_WEIGHT_BF16: return (uint64_t)k * 2;
    case GPU_WEIGHT_Q8_0: return (uint64_t)(k / GPU_QUANT_BLOCK) * GPU_QUANT_Q8_0_BLOCK_BYTES;
    case GPU_WEIGHT_Q4_0: return (uint64_t)(k / GPU_QUANT_BLOCK) * GPU_QUANT_Q4_0_BLOCK_BYTES;
    }
    return 0;
}

/* ---------------------------------------------------------------- quantize */

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Element e of an f32 / f16 / bf16 source. */
static float source_at(gpu_weight_dtype dtype, const unsigned char *src, uint64_t e) {
    if (dtype == GPU_WEIGHT_F32) {
        float f;
        memcpy(&f, src + 4 * e, sizeof f);
        return f;
    }
    uint16_t h = le16(src + 2 * e);
    return dtype == GPU_WEIGHT_F16 ? gpu_f16_to_f32(h) : gpu_bf16_to_f32(h);
}

/* d as binary16, rounded away from zero: |stored| >= |d|, so the largest element's code stays in range. One
 * step up from the nearest half is the next magnitude (same sign); past 0x7BFF that is infinity. */
static uint16_t scale_outward(float d) {
    uint16_t h = gpu_f16_from_f32(d);
    if (fabsf(gpu_f16_to_f32(h)) < fabsf(d)) h++;
    return h;
}

/* One block of 32 values into out (the block's bytes); false when its scale overflows binary16. */
static bool quantize_block(gpu_weight_dtype dst, const float *x, unsigned char *out) {
    float amax = 0, mx = 0;
    for (int j = 0; j < GPU_QUANT_BLOCK; j++) {
        if (fabsf(x[j]) > amax) {
            amax = fabsf(x[j]);
            mx = x[j];
        }
    }
    /* an all-zero block: d = +0, every code zero (q4_0: nibble 8) */
    uint16_t h = amax == 0 ? 0 : scale_outward(dst == GPU_WEIGHT_Q8_0 ? amax / 127.0f : mx / -8.0f);
    if ((h & 0x7C00u) == 0x7C00u) return false;
    float d = gpu_f16_to_f32(h), id = d != 0 ? 1.0f / d : 0.0f;
    out[0] = (unsigned char)(h & 0xFF);
    out[1] = (unsigned char)(h >> 8);
    out[2] = out[3] = 0;
    if (dst == GPU_WEIGHT_Q8_0) {
        for (int j = 0; j < GPU_QUANT_BLOCK; j++) {
            float q = roundf(x[j] * id);
            q = q < -127 ? -127 : q > 127 ? 127 : q; /* f32 rounding of x * id only: never more than a step */
            out[4 + j] = (unsigned char)((int)q & 0xFF);
        }
    } else {
        for (int j = 0; j < GPU_QUANT_BLOCK / 2; j++) {
            int nib[2];
            for (int h2 = 0; h2 < 2; h2++) {
                float v = floorf(x[j + 16 * h2] * id + 8.5f);
                nib[h2] = v < 0 ? 0 : v > 15 ? 15 : (int)v;
            }
            out[4 + j] = (unsigned char)(nib[0] | nib[1] << 4);
        }
    }
    return true;
}

vkvlm_status gpu_quantize_rows(gpu_weight_dtype dst, gpu_weight_dtype src_dtype, const void *src, uint32_t n,
                               uint32_t k, void *out, vkvlm_error *err) {
    if (!gpu_weight_dtype_quantized(dst) || gpu_weight_dtype_quantized(src_dtype) ||
        !gpu_quant_shape_ok(src_dtype, k))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "quantize: %s to %s is not a conversion this does",
                               gpu_weight_dtype_name(src_dtype), gpu_weight_dtype_name(dst));
    if (!gpu_quant_shape_ok(dst, k))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE,
                               "quantize to %s: rows of %u elements are not whole %d-element blocks",
                               gpu_weight_dtype_name(dst), k, GPU_QUANT_BLOCK);
    const unsigned char *s = src;
    unsigned char *o = out;
    uint64_t block_bytes = dst == GPU_WEIGHT_Q8_0 ? GPU_QUANT_Q8_0_BLOCK_BYTES : GPU_QUANT_Q4_0_BLOCK_BYTES;
    for (uint32_t row = 0; row < n; row++) {
        for (uint32_t col = 0; col < k; col += GPU_QUANT_BLOCK) {
            float x[GPU_QUANT_BLOCK];
            for (int j = 0; j < GPU_QUANT_BLOCK; j++) {
                x[j] = source_at(src_dtype, s, (uint64_t)row * k + col + (uint32_t)j);
                if (!isfinite(x[j]))
                    return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "quantize to %s: row %u, column %u is not finite",
                                           gpu_weight_dtype_name(dst), row, col + (uint32_t)j);
            }
            if (!quantize_block(dst, x, o))
                return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                                       "quantize to %s: row %u, columns %u..%u: the scale overflows binary16 "
                                       "(magnitudes up to %g)",
                                       gpu_weight_dtype_name(dst), row, col, col + GPU_QUANT_BLOCK - 1,
                                       (double)(dst == GPU_WEIGHT_Q8_0 ? 127.0f : 8.0f) * 65504.0);
            o += block_bytes;
        }
    }
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- dequantize */

vkvlm_status gpu_dequantize_rows(gpu_weight_dtype dtype, const void *src, uint32_t n, uint32_t k, float *out,
                                 vkvlm_error *err) {
    if (!gpu_quant_shape_ok(dtype, k))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "dequantize %s: rows of %u elements do not fit the format",
                               gpu_weight_dtype_name(dtype), k);
    const unsigned char *s = src;
    uint64_t count = (uint64_t)n * k;
    if (!gpu_weight_dtype_quantized(dtype)) {
        for (uint64_t e = 0; e < count; e++) out[e] = source_at(dtype, s, e);
        return VKVLM_OK;
    }
    uint64_t block_bytes = dtype == GPU_WEIGHT_Q8_0 ? GPU_QUANT_Q8_0_BLOCK_BYTES : GPU_QUANT_Q4_0_BLOCK_BYTES;
    for (uint64_t b = 0; b < count / GPU_QUANT_BLOCK; b++, s += block_bytes) {
        float d = gpu_f16_to_f32(le16(s));
        float *x = out + b * GPU_QUANT_BLOCK;
        for (int j = 0; j < GPU_QUANT_BLOCK; j++) {
            int q;
            if (dtype == GPU_WEIGHT_Q8_0) q = s[4 + j] < 128 ? s[4 + j] : s[4 + j] - 256;
            else q = (j < 16 ? s[4 + j] & 0xF : s[4 + j - 16] >> 4) - 8;
            x[j] = d * (float)q;
        }
    }
    return VKVLM_OK;
}
