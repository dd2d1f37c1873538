// matmul_weights.glsl — the weight binding of the linear-layer kernels (matmul_tiled_*, matmul_vec_*) and
// how one weight element, or four consecutive ones, becomes f32. The including shader defines one of
//   W_F32                f32 words
//   W_F16 / W_BF16       16-bit storage (float16_t / uint16_t arrays; needs storageBuffer16BitAccess)
//   W_F16P / W_BF16P     packed: two halves per uint32 word, low half first (devices without 16-bit storage)
//   W_Q8_0 / W_Q4_0      blocks of 32 elements along K in uint32 words (gpu/quant.h): 9 words (f16 scale, 32
//                        int8 codes) / 5 words (f16 scale, 32 nibbles); K % 32 == 0, so blocks never cross rows
// (the 16-bit ones also enable GL_EXT_shader_16bit_storage, before any declaration) and binds the weights
// at binding 1. Element e of the row-major [N,K] weight is element e of the binding.
// loadw(e) reads any element; loadw4(e4) reads elements 4*e4 .. 4*e4+3 (callers use it only when K % 4 == 0,
// so 4*e4 never crosses a row and the binding holds whole groups of four).
// Packed layouts read word e/2 only: with an odd element count the last word is half used, so callers bind
// ceil(count/2) words (the byte size rounded up to 4) and nothing past it is read.
// Block layouts: element e is element e%32 of block e/32 (rows are whole blocks, so that is also block
// row * K/32 + col/32); the scale is unpackHalf2x16 of the block's word 0, so no 16-bit storage or
// arithmetic is needed. loadw4 reads one code word and the scale word: elements 4*e4 .. 4*e4+3 are
// group g = e4 % 8 of block e4 / 8, which q8_0 keeps in word 1 + g (four bytes) and q4_0 in word 1 + g%4
// (one nibble of each byte: the low ones for g < 4, the high ones for g >= 4). K % 32 == 0 always takes the
// callers' vec4 loops, so their scalar loop never runs on blocks; loadw is loadw4's element so that it
// compiles and cannot disagree.
#if defined(W_F32)
layout(std430, binding = 1) readonly buffer W1 { float w1[]; };
layout(std430, binding = 1) readonly buffer W4 { vec4 w4[]; };
float loadw(uint e) { return w1[e]; }
vec4 loadw4(uint e4) { return w4[e4]; }
#elif defined(W_F16)
layout(std430, binding = 1) readonly buffer W1 { float16_t w1[]; };
layout(std430, binding = 1) readonly buffer W4 { f16vec4 w4[]; };
float loadw(uint e) { return float(w1[e]); }
vec4 loadw4(uint e4) { return vec4(w4[e4]); }
#elif defined(W_BF16)
layout(std430, binding = 1) readonly buffer W1 { uint16_t w1[]; };
layout(std430, binding = 1) readonly buffer W4 { u16vec4 w4[]; };
// bf16 is the top half of an f32: widen the bits, no 16-bit arithmetic involved.
float loadw(uint e) { return uintBitsToFloat(uint(w1[e]) << 16); }
vec4 loadw4(uint e4) { return uintBitsToFloat(uvec4(w4[e4]) << 16); }
#elif defined(W_F16P)
layout(std430, binding = 1) readonly buffer W1 { uint w1[]; };
layout(std430, binding = 1) readonly buffer W4 { uvec2 w4[]; };
float loadw(uint e) { return unpackHalf2x16(w1[e >> 1])[e & 1u]; }
vec4 loadw4(uint e4) {
    uvec2 v = w4[e4];
    return vec4(unpackHalf2x16(v.x), unpackHalf2x16(v.y));
}
#elif defined(W_BF16P)
layout(std430, binding = 1) readonly buffer W1 { uint w1[]; };
layout(std430, binding = 1) readonly buffer W4 { uvec2 w4[]; };
vec2 unpack_bf16x2(uint v) { return uintBitsToFloat(uvec2(v << 16, v & 0xFFFF0000u)); }
float loadw(uint e) { return unpack_bf16x2(w1[e >> 1])[e & 1u]; }
vec4 loadw4(uint e4) {
    uvec2 v = w4[e4];
    return vec4(unpack_bf16x2(v.x), unpack_bf16x2(v.y));
}
#elif defined(W_Q8_0)
layout(std430, binding = 1) readonly buffer W1 { uint w1[]; };
vec4 loadw4(uint e4) {
    uint base = (e4 >> 3) * 9u;
    uint v = w1[base + 1u + (e4 & 7u)];
    ivec4 q = ivec4(uvec4(v) << uvec4(24u, 16u, 8u, 0u)) >> 24; // each byte to the top, then sign-extended down
    return unpackHalf2x16(w1[base]).x * vec4(q);
}
float loadw(uint e) { return loadw4(e >> 2)[e & 3u]; }
#elif defined(W_Q4_0)
layout(std430, binding = 1) readonly buffer W1 { uint w1[]; };
vec4 loadw4(uint e4) {
    uint base = (e4 >> 3) * 5u, g = e4 & 7u;
    uint v = w1[base + 1u + (g & 3u)];
    uvec4 nibble = (uvec4(v) >> (uvec4(0u, 8u, 16u, 24u) + (g >> 2) * 4u)) & 15u;
    return unpackHalf2x16(w1[base]).x * (vec4(nibble) - 8.0);
}
float loadw(uint e) { return loadw4(e >> 2)[e & 3u]; }
#else
#error "define the weight layout: W_F32, W_F16, W_BF16, W_F16P, W_BF16P, W_Q8_0 or W_Q4_0"
#endif
