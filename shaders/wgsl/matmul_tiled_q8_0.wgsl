// matmul_tiled_q8_0 — WGSL twin of shaders/glsl/matmul_tiled_q8_0.comp (matmul_tiled.glsl, matmul_linear.glsl,
// matmul_weights.glsl): tiled linear layer (prefill), q8_0 weights (blocks of 32: f16 scale, int8 codes) read as
// u32 words.
// Bindings, overrides and the body: matmul_tiled.wgsli.
@group(0) @binding(1) var<storage, read> w: array<u32>;

// Weight elements 4*e4 .. 4*e4+3 of the row-major [N,K] weight: group g = e4 % 8 of 32-element block e4 / 8,
// i.e. the four signed bytes of word 1 + g of the block's 9 words, times the f16 scale in word 0's low half
// (matmul_weights.glsl, gpu/quant.h). K % 32 == 0 always takes the body's vec4 loop; loadw is loadw4's element
// so that the scalar loop compiles and cannot disagree.
fn loadw4(e4: u32) -> vec4<f32> {
    let base = (e4 >> 3u) * 9u;
    let v = w[base + 1u + (e4 & 7u)];
    // each byte to the top, then sign-extended down (>> of an i32 is arithmetic)
    let q = bitcast<vec4<i32>>(vec4<u32>(v) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u);
    return unpack2x16float(w[base]).x * vec4<f32>(q);
}

fn loadw(e: u32) -> f32 {
    return loadw4(e >> 2u)[e & 3u];
}

#include "matmul_tiled.wgsli"
