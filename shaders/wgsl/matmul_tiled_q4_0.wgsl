// matmul_tiled_q4_0 — WGSL twin of shaders/glsl/matmul_tiled_q4_0.comp (matmul_tiled.glsl, matmul_linear.glsl,
// matmul_weights.glsl): tiled linear layer (prefill), q4_0 weights (blocks of 32: f16 scale, 4-bit codes) read as
// u32 words.
// Bindings, overrides and the body: matmul_tiled.wgsli.
@group(0) @binding(1) var<storage, read> w: array<u32>;

// Weight elements 4*e4 .. 4*e4+3 of the row-major [N,K] weight: group g = e4 % 8 of 32-element block e4 / 8,
// i.e. one nibble of each byte of word 1 + g % 4 of the block's 5 words (the low nibbles for g < 4, the high
// ones for g >= 4), minus 8, times the f16 scale in word 0's low half (matmul_weights.glsl, gpu/quant.h).
// K % 32 == 0 always takes the body's vec4 loop; loadw is loadw4's element so that the scalar loop compiles
// and cannot disagree.
fn loadw4(e4: u32) -> vec4<f32> {
    let base = (e4 >> 3u) * 5u;
    let g = e4 & 7u;
    let v = w[base + 1u + (g & 3u)];
    let nibble = (vec4<u32>(v) >> (vec4<u32>(0u, 8u, 16u, 24u) + vec4<u32>((g >> 2u) * 4u))) & vec4<u32>(15u);
    return unpack2x16float(w[base]).x * (vec4<f32>(nibble) - vec4<f32>(8.0));
}

fn loadw(e: u32) -> f32 {
    return loadw4(e >> 2u)[e & 3u];
}

#include "matmul_tiled.wgsli"
