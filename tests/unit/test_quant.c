/* test_quant.c — the q8_0 / q4_0 formats of gpu/quant.h on the host: blocks computed by hand, the outward
 * rounding of the scale, round-trip error bounds, refusals (K % 32, non-finite values, scale overflow), f16 /
 * bf16 sources, and the 16-bit float conversions (every half and bfloat round-trips).
 *
 * Hand-computed blocks, x[j] = j for j = 0..31:
 *   q8_0  amax = 31, d = 31/127 = 0.244094 -> binary16 0x33D0 = 0.244140625 = 125/512 (the nearest half is
 *         already above d), 1/d = 4.096, q[j] = round(4.096 j): 0 4 8 12 16 20 25 29 ... 123 127.
 *   q4_0  mx = 31, d = 31/-8 = -3.875 = 0xC3C0 exactly, nibble = floor(8.5 - j/3.875): 8 8 7 7 7 7 6 6 6 6 5
 *         5 5 5 4 4 | 4 4 3 3 3 3 2 2 2 2 1 1 1 1 0 0, so byte j = nibble[j] | nibble[j+16] << 4 = 0x48 0x48 0x37
 *         0x37 0x37 0x37 0x26 0x26 0x26 0x26 0x15 0x15 0x15 0x15 0x04 0x04. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/quant.h"
#include "test.h"

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

static void test_sizes(void) {
    TEST_CHECK_INT(gpu_quant_row_bytes(GPU_WEIGHT_Q8_0, 64), 72);
    TEST_CHECK_INT(gpu_quant_row_bytes(GPU_WEIGHT_Q4_0, 64), 40);
    TEST_CHECK_INT(gpu_quant_row_bytes(GPU_WEIGHT_Q8_0, 576), 18 * 36);
    TEST_CHECK_INT(gpu_quant_row_bytes(GPU_WEIGHT_F16, 3), 6);
    TEST_CHECK_INT(gpu_quant_row_bytes(GPU_WEIGHT_F32, 3), 12);
    TEST_CHECK_INT(gpu_weight_bytes(GPU_WEIGHT_Q8_0, 7 * 64), 7 * 72);
    TEST_CHECK_INT(gpu_weight_bytes(GPU_WEIGHT_Q4_0, 7 * 64), 7 * 40);
    TEST_CHECK(gpu_weight_dtype_quantized(GPU_WEIGHT_Q8_0) && gpu_weight_dtype_quantized(GPU_WEIGHT_Q4_0));
    TEST_CHECK(!gpu_weight_dtype_quantized(GPU_WEIGHT_F16));
    TEST_CHECK_STR(gpu_weight_dtype_name(GPU_WEIGHT_Q4_0), "q4_0");
}

/* gpu_quantize_rows with a fresh error record (a failed one keeps its first message). */
static vkvlm_status quantize(gpu_weight_dtype dst, gpu_weight_dtype src_dtype, const float *x, uint32_t n,
                             uint32_t k, void *out, vkvlm_error *err) {
    *err = (vkvlm_error){0};
    return gpu_quantize_rows(dst, src_dtype, x, n, k, out, err);
}

static void test_refusals(void) {
    float x[2 * 48] = {0};
    unsigned char out[2 * 72];
    vkvlm_error err = {0};
    /* K % 32 != 0: no block layout */
    TEST_CHECK(!gpu_quant_shape_ok(GPU_WEIGHT_Q8_0, 48) && !gpu_quant_shape_ok(GPU_WEIGHT_Q4_0, 16));
    TEST_CHECK(gpu_quant_shape_ok(GPU_WEIGHT_F16, 48) && gpu_quant_shape_ok(GPU_WEIGHT_Q4_0, 32));
    TEST_CHECK_INT(gpu_quant_row_bytes(GPU_WEIGHT_Q8_0, 48), 0);
    TEST_CHECK_INT(quantize(GPU_WEIGHT_Q8_0, GPU_WEIGHT_F32, x, 2, 48, out, &err), VKVLM_ERR_USAGE);
    TEST_CHECK(strstr(err.message, "48") != NULL);
    TEST_CHECK_INT(quantize(GPU_WEIGHT_Q4_0, GPU_WEIGHT_F32, x, 1, 0, out, &err), VKVLM_ERR_USAGE);
    err = (vkvlm_error){0};
    TEST_CHECK_INT(gpu_dequantize_rows(GPU_WEIGHT_Q4_0, out, 1, 40, x, &err), VKVLM_ERR_USAGE);
    /* not a conversion: to f16, or from a quantized source */
    TEST_CHECK_INT(quantize(GPU_WEIGHT_F16, GPU_WEIGHT_F32, x, 1, 32, out, &err), VKVLM_ERR_USAGE);
    TEST_CHECK_INT(quantize(GPU_WEIGHT_Q4_0, GPU_WEIGHT_Q8_0, x, 1, 32, out, &err), VKVLM_ERR_USAGE);
    /* a NaN or infinity is named by row and column */
    x[32 + 5] = NAN;
    TEST_CHECK_INT(quantize(GPU_WEIGHT_Q8_0, GPU_WEIGHT_F32, x, 2, 32, out, &err), VKVLM_ERR_FORMAT);
    TEST_CHECK_MSG(strstr(err.message, "row 1, column 5") != NULL, "%s", err.message);
    x[32 + 5] = INFINITY;
    TEST_CHECK_INT(quantize(GPU_WEIGHT_Q4_0, GPU_WEIGHT_F32, x, 2, 32, out, &err), VKVLM_ERR_FORMAT);
    /* scales beyond binary16: q8_0 overflows past 127 * 65504, q4_0 past 8 * 65504 */
    x[32 + 5] = 1e6f;
    TEST_CHECK_INT(quantize(GPU_WEIGHT_Q8_0, GPU_WEIGHT_F32, x, 2, 32, out, &err), VKVLM_OK);
    TEST_CHECK_INT(quantize(GPU_WEIGHT_Q4_0, GPU_WEIGHT_F32, x, 2, 32, out, &err), VKVLM_ERR_FORMAT);
    x[32 + 5] = -1e7f;
    TEST_CHECK_INT(quantize(GPU_WEIGHT_Q8_0, GPU_WEIGHT_F32, x, 2, 32, out, &err), VKVLM_ERR_FORMAT);
}

static void test_hand_blocks(void) {
    float x[32];
    for (int j = 0; j < 32; j++) x[j] = (float)j;
    unsigned char b8[36], b4[20];
    vkvlm_error err = {0};
    TEST_CHECK_INT(gpu_quantize_rows(GPU_WEIGHT_Q8_0, GPU_WEIGHT_F32, x, 1, 32, b8, &err), VKVLM_OK);
    TEST_CHECK_INT(gpu_quantize_rows(GPU_WEIGHT_Q4_0, GPU_WEIGHT_F32, x, 1, 32, b4, &err), VKVLM_OK);
    static const int8_t q8[32] = {0,  4,  8,  12, 16, 20, 25, 29, 33, 37,  41,  45,  49,  53,  57,  61,
                                  66, 70, 74, 78, 82, 86, 90, 94, 98, 102, 106, 111, 115, 119, 123, 127};
    static const unsigned char q4[16] = {0x48, 0x48, 0x37, 0x37, 0x37, 0x37, 0x26, 0x26,
                                         0x26, 0x26, 0x15, 0x15, 0x15, 0x15, 0x04, 0x04};
    TEST_CHECK_INT(le16(b8), 0x33D0);
    TEST_CHECK_INT(le16(b8 + 2), 0);
    for (int j = 0; j < 32; j++) TEST_CHECK_INT((int8_t)b8[4 + j], q8[j]);
    TEST_CHECK_INT(le16(b4), 0xC3C0);
    TEST_CHECK_INT(le16(b4 + 2), 0);
    for (int j = 0; j < 16; j++) TEST_CHECK_INT(b4[4 + j], q4[j]);
    /* the inverse gives d * code: 31 comes back as 127 * 125/512 and as -3.875 * (0 - 8) */
    float y[32];
    TEST_CHECK_INT(gpu_dequantize_rows(GPU_WEIGHT_Q8_0, b8, 1, 32, y, &err), VKVLM_OK);
    TEST_CHECK(y[31] == 127 * 0.244140625f && y[6] == 25 * 0.244140625f && y[0] == 0);
    TEST_CHECK_INT(gpu_dequantize_rows(GPU_WEIGHT_Q4_0, b4, 1, 32, y, &err), VKVLM_OK);
    TEST_CHECK(y[31] == 31.0f && y[0] == 0 && y[2] == 3.875f && y[17] == -3.875f * -4);
    /* negative codes: x = -j puts q8_0 codes in two's complement, q4_0's mx at -31 flips d's sign */
    for (int j = 0; j < 32; j++) x[j] = -(float)j;
    TEST_CHECK_INT(gpu_quantize_rows(GPU_WEIGHT_Q8_0, GPU_WEIGHT_F32, x, 1, 32, b8, &err), VKVLM_OK);
    TEST_CHECK_INT(le16(b8), 0x33D0);
    for (int j = 0; j < 32; j++) TEST_CHECK_INT((int8_t)b8[4 + j], -q8[j]);
    TEST_CHECK_INT(gpu_quantize_rows(GPU_WEIGHT_Q4_0, GPU_WEIGHT_F32, x, 1, 32, b4, &err), VKVLM_OK);
    TEST_CHECK_INT(le16(b4), 0x43C0);
    for (int j = 0; j < 16; j++) TEST_CHECK_INT(b4[4 + j], q4[j]);
    /* an all-zero block: d = +0 and zero codes (q4_0: nibble 8) */
    memset(x, 0, sizeof x);
    TEST_CHECK_INT(gpu_quantize_rows(GPU_WEIGHT_Q8_0, GPU_WEIGHT_F32, x, 1, 32, b8, &err), VKVLM_OK);
    TEST_CHECK_INT(gpu_quantize_rows(GPU_WEIGHT_Q4_0, GPU_WEIGHT_F32, x, 1, 32, b4, &err), VKVLM_OK);
    TEST_CHECK_INT(le16(b8), 0);
    TEST_CHECK_INT(le16(b4), 0);
    for (int j = 0; j < 32; j++) TEST_CHECK_INT(b8[4 + j], 0);
    for (int j = 0; j < 16; j++) TEST_CHECK_INT(b4[4 + j], 0x88);
}

/* The scale rounds away from zero: amax = 31.76 gives d = 0.2500787, whose nearest half 0.25 (0x3400) is
 * below it, so the stored d is the next half up, 0x3401 = 0.250244140625, and amax's code stays 127. */
static void test_scale_outward(void) {
    float x[32] = {0};
    x[3] = 31.76f;
    x[4] = -31.76f;
    unsigned char b8[36];
    vkvlm_error err = {0};
    TEST_CHECK_INT(gpu_quantize_rows(GPU_WEIGHT_Q8_0, GPU_WEIGHT_F32, x, 1, 32, b8, &err), VKVLM_OK);
    TEST_CHECK_INT(le16(b8), 0x3401);
    TEST_CHECK_INT((int8_t)b8[4 + 3], 127);
    TEST_CHECK_INT((int8_t)b8[4 + 4], -127);
}

static uint64_t rng_state = 0x5EED;
static float uniform(float lo, float hi) {
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (hi - lo) * (float)(rng_state >> 40) / (float)(1u << 24);
}

/* Every element within d/2 (q8_0) or |d| (q4_0) of its input, d the stored scale, for rows of mixed
 * magnitudes: [-1,1), tiny (subnormal scales), large, a single outlier, and constant blocks. */
static void test_round_trip(void) {
    enum { N = 6, K = 576 };
    static const float scale[N] = {1.0f, 1e-6f, 3e3f, 1.0f, 1.0f, 2e-3f};
    float *x = malloc(sizeof(float) * N * K), *y = malloc(sizeof(float) * N * K);
    unsigned char *q = malloc((size_t)N * gpu_quant_row_bytes(GPU_WEIGHT_Q8_0, K));
    TEST_CHECK(x && y && q);
    if (!x || !y || !q) goto done;
    for (int r = 0; r < N; r++)
        for (int c = 0; c < K; c++) x[r * K + c] = uniform(-1, 1) * scale[r];
    x[3 * K + 100] = 50.0f;                          /* an outlier: its block's other codes collapse */
    for (int c = 0; c < K; c++) x[4 * K + c] = -0.75f; /* constant blocks: mx is the first element */
    for (int f = 0; f < 2; f++) {
        gpu_weight_dtype dtype = f ? GPU_WEIGHT_Q4_0 : GPU_WEIGHT_Q8_0;
        uint64_t block_bytes = f ? 20 : 36;
        vkvlm_error err = {0};
        TEST_CHECK_INT(gpu_quantize_rows(dtype, GPU_WEIGHT_F32, x, N, K, q, &err), VKVLM_OK);
        TEST_CHECK_INT(gpu_dequantize_rows(dtype, q, N, K, y, &err), VKVLM_OK);
        int bad = 0;
        for (int b = 0; b < N * K / 32; b++) {
            float d = fabsf(gpu_f16_to_f32(le16(q + b * block_bytes)));
            /* 1 + 2^-20: x * (1/d) is rounded in f32, which may move a code across a half-way point */
            float bound = (f ? d : d / 2) * (1 + 1.0f / (1 << 20));
            for (int j = 0; j < 32; j++) {
                int e = b * 32 + j;
                if (!(fabsf(y[e] - x[e]) <= bound) && bad++ < 5)
                    TEST_CHECK_MSG(0, "%s element %d: %g -> %g, d %g", gpu_weight_dtype_name(dtype), e, x[e], y[e], d);
            }
        }
        TEST_CHECK_INT(bad, 0);
        /* constant blocks come back exactly for q4_0 (-0.75 = -8 d); q8_0's 127 d is within d/2 */
        if (f) TEST_CHECK(y[4 * K + 7] == -0.75f);
    }
done:
    free(x);
    free(y);
    free(q);
}

/* f16 and bf16 sources quantize as their f32 values do. */
static void test_16bit_sources(void) {
    enum { K = 64 };
    float x[K];
    uint16_t h[K], bf[K];
    for (int c = 0; c < K; c++) {
        h[c] = gpu_f16_from_f32(uniform(-2, 2));
        bf[c] = gpu_bf16_from_f32(uniform(-2, 2));
    }
    unsigned char a[2 * 36], b[2 * 36];
    vkvlm_error err = {0};
    for (int f = 0; f < 2; f++) {
        gpu_weight_dtype dtype = f ? GPU_WEIGHT_Q4_0 : GPU_WEIGHT_Q8_0;
        size_t bytes = (size_t)gpu_quant_row_bytes(dtype, K);
        for (int c = 0; c < K; c++) x[c] = gpu_f16_to_f32(h[c]);
        TEST_CHECK_INT(gpu_quantize_rows(dtype, GPU_WEIGHT_F16, h, 1, K, a, &err), VKVLM_OK);
        TEST_CHECK_INT(gpu_quantize_rows(dtype, GPU_WEIGHT_F32, x, 1, K, b, &err), VKVLM_OK);
        TEST_CHECK(memcmp(a, b, bytes) == 0);
        for (int c = 0; c < K; c++) x[c] = gpu_bf16_to_f32(bf[c]);
        TEST_CHECK_INT(gpu_quantize_rows(dtype, GPU_WEIGHT_BF16, bf, 1, K, a, &err), VKVLM_OK);
        TEST_CHECK_INT(gpu_quantize_rows(dtype, GPU_WEIGHT_F32, x, 1, K, b, &err), VKVLM_OK);
        TEST_CHECK(memcmp(a, b, bytes) == 0);
    }
    /* dequantize passes 16-bit weights through as floats */
    float y[K];
    TEST_CHECK_INT(gpu_dequantize_rows(GPU_WEIGHT_BF16, bf, 1, K, y, &err), VKVLM_OK);
    TEST_CHECK(memcmp(x, y, sizeof y) == 0);
}

static void test_half_conversions(void) {
    TEST_CHECK_INT(gpu_f16_from_f32(1.0f), 0x3C00);
    TEST_CHECK_INT(gpu_f16_from_f32(-2.0f), 0xC000);
    TEST_CHECK_INT(gpu_f16_from_f32(-0.0f), 0x8000);
    TEST_CHECK_INT(gpu_f16_from_f32(65504.0f), 0x7BFF);
    TEST_CHECK_INT(gpu_f16_from_f32(65519.0f), 0x7BFF);     /* below the half-way point to 2^16 */
    TEST_CHECK_INT(gpu_f16_from_f32(65520.0f), 0x7C00);     /* the tie goes to even: infinity */
    TEST_CHECK_INT(gpu_f16_from_f32(1e10f), 0x7C00);
    TEST_CHECK_INT(gpu_f16_from_f32(INFINITY), 0x7C00);
    TEST_CHECK_INT(gpu_f16_from_f32(NAN) & 0x7E00, 0x7E00);
    TEST_CHECK_INT(gpu_f16_from_f32(ldexpf(1, -24)), 0x0001); /* smallest subnormal */
    TEST_CHECK_INT(gpu_f16_from_f32(ldexpf(1, -25)), 0x0000); /* half of it: the tie goes to even, 0 */
    TEST_CHECK_INT(gpu_f16_from_f32(ldexpf(1.5f, -25)), 0x0001);
    TEST_CHECK_INT(gpu_f16_from_f32(ldexpf(1, -26)), 0x0000);
    TEST_CHECK_INT(gpu_f16_from_f32(ldexpf(1023, -24)), 0x03FF); /* largest subnormal */
    TEST_CHECK_INT(gpu_f16_from_f32(1.0f + ldexpf(1, -11)), 0x3C00); /* tie to even */
    TEST_CHECK_INT(gpu_f16_from_f32(1.0f + ldexpf(3, -11)), 0x3C02);
    TEST_CHECK_INT(gpu_bf16_from_f32(1.0f), 0x3F80);
    TEST_CHECK_INT(gpu_bf16_from_f32(NAN) & 0x7FC0, 0x7FC0);
    /* every finite half and bfloat survives the trip through f32 */
    int bad = 0;
    for (uint32_t v = 0; v < 0x10000; v++) {
        uint16_t u = (uint16_t)v;
        if ((u & 0x7C00) != 0x7C00 && gpu_f16_from_f32(gpu_f16_to_f32(u)) != u) bad++;
        if ((u & 0x7F80) != 0x7F80 && gpu_bf16_from_f32(gpu_bf16_to_f32(u)) != u) bad++;
    }
    TEST_CHECK_INT(bad, 0);
}

int main(void) {
    TEST_RUN(test_sizes);
    TEST_RUN(test_refusals);
    TEST_RUN(test_hand_blocks);
    TEST_RUN(test_scale_outward);
    TEST_RUN(test_round_trip);
    TEST_RUN(test_16bit_sources);
    TEST_RUN(test_half_conversions);
    return test_finish();
}
