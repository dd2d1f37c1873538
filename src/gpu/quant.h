/* quant.h — the block-quantized weight formats q8_0 and q4_0 on the host: their byte layout (what the matmul
 * kernels read, gpu/kernels_matmul.h), quantizers from f32 / f16 / bf16 rows, dequantization (tests, the CPU
 * reference's twin), and the 16-bit float conversions they rest on.
 *
 * Layout. A weight [N,K] is cut into blocks of 32 consecutive elements along K; K % 32 == 0, so a row is K/32
 * whole blocks and no block crosses a row (block b of the whole weight is row b / (K/32)). A block is whole
 * little-endian u32 words, so kernels read it with 32-bit loads on devices without 8- or 16-bit storage:
 *   q8_0  9 words (36 bytes). Word 0: the scale d, IEEE binary16 in bits 0..15, bits 16..31 zero. Words
 *         1..8: the signed 8-bit codes q[0..31], four per word, q[4i + b] in bits 8b..8b+7 of word 1 + i.
 *         Element j = d * q[j].
 *   q4_0  5 words (20 bytes). Word 0: d as for q8_0. Words 1..4: 16 bytes, byte j (bits 8(j%4).. of word
 *         1 + j/4) holds element j in its low nibble and element j + 16 in its high nibble. Element j =
 *         d * (nibble - 8). Four consecutive elements 4i..4i+3 (i < 8) are one nibble of each byte of one
 *         word (word 1 + i%4, low nibbles for i < 4), so a vec4 load is one word read, shifts and masks.
 *
 * Quantizing a block x[0..31] (f32 arithmetic):
 *   q8_0  amax = max |x[j]|; d = amax / 127, then rounded to binary16 away from zero; id = d ? 1/d : 0;
 *         q[j] = round(x[j] * id), halves away from zero, clamped to [-127, 127].
 *   q4_0  mx = the x[j] of largest magnitude (the first on ties), with its sign; d = mx / -8, then rounded to
 *         binary16 away from zero; id = d ? 1/d : 0; nibble = min(15, floor(x[j] * id + 8.5)).
 * The codes are computed against the stored (rounded) d, and rounding d outward keeps amax * id <= 127
 * (q8_0) and mx * id = -8 (q4_0) up to f32 rounding: no code needs clamping except q4_0's +8 -> 15, so every
 * dequantized element is within d/2 of x (q8_0), within |d|/2 of x or |d| for the clamped +8 (q4_0). An
 * all-zero block has d = 0 and codes 0 (q4_0: nibble 8). This is the usual q8_0 / q4_0 arithmetic (with d
 * rounded before the codes rather than after); the word layout is this engine's own, not a file format. */
#ifndef VKVLM_GPU_QUANT_H
#define VKVLM_GPU_QUANT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/status.h"
#include "gpu/ops_matmul.h"

enum {
    GPU_QUANT_BLOCK = 32,           /* elements per block, along K */
    GPU_QUANT_Q8_0_BLOCK_BYTES = 36, /* 9 words */
    GPU_QUANT_Q4_0_BLOCK_BYTES = 20, /* 5 words */
};

/* q8_0 or q4_0. */
bool gpu_weight_dtype_quantized(gpu_weight_dtype dtype);

/* Whether a weight with rows of k elements can be stored as dtype: any k > 0 for f32 / f16 / bf16, k % 32 == 0
 * for the block formats. */
bool gpu_quant_shape_ok(gpu_weight_dtype dtype, uint32_t k);

/* Bytes of one row of k elements in dtype: 4k (f32), 2k (f16 / bf16: a row need not end on a word), k/32
 * blocks (q8_0 / q4_0). 0 when !gpu_quant_shape_ok. */
uint64_t gpu_quant_row_bytes(gpu_weight_dtype dtype, uint32_t k);

/* Quantizes a row-major [n, k] weight src, stored as src_dtype (f32, or f16 / bf16 as in checkpoints: element
 * e at bytes 2e..2e+1, little-endian), into dst (q8_0 or q4_0): out receives n * gpu_quant_row_bytes(dst, k)
 * bytes. Fails with VKVLM_ERR_USAGE for a dtype pair it does not convert or k % 32 != 0, and with
 * VKVLM_ERR_FORMAT (naming the row and column) for a NaN or infinite element or a block whose scale exceeds
 * binary16 (|x| beyond 127 * 65504 for q8_0, 8 * 65504 for q4_0); out is then partly written. */
vkvlm_status gpu_quantize_rows(gpu_weight_dtype dst, gpu_weight_dtype src_dtype, const void *src, uint32_t n,
                               uint32_t k, void *out, vkvlm_error *err);

/* Expands a row-major [n, k] weight stored as dtype (any gpu_weight_dtype; rows of gpu_quant_row_bytes(dtype,
 * k) bytes) into n * k floats, exactly as the kernels read it. VKVLM_ERR_USAGE when the shape does not fit. */
vkvlm_status gpu_dequantize_rows(gpu_weight_dtype dtype, const void *src, uint32_t n, uint32_t k, float *out,
                                 vkvlm_error *err);

/* IEEE binary16 and bfloat16 <-> f32. To 16 bits: round to nearest even, overflow to infinity, NaN kept
 * (quiet). To f32: exact. */
uint16_t gpu_f16_from_f32(float f);
float gpu_f16_to_f32(uint16_t h);
uint16_t gpu_bf16_from_f32(float f);
float gpu_bf16_to_f32(uint16_t b);

#endif
