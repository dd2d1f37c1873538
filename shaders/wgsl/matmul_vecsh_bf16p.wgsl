// matmul_vecsh_bf16p — WGSL twin of shaders/glsl/matmul_vecsh_bf16p.comp (matmul_vec.glsl without VEC_SUBGROUP,
// matmul_linear.glsl, matmul_weights.glsl): mat-vec linear layer (decode, M <= 8), shared-memory reduction,
// bf16 weights read as packed u32 pairs (low half first).
// Bindings, overrides and the body: matmul_vecsh.wgsli.
@group(0) @binding(1) var<storage, read> w: array<u32>;

// Weight element e of the row-major [N,K] weight, and elements 4*e4 .. 4*e4+3 (only when K % 4 == 0, so a
// group never crosses a row; matmul_weights.glsl).
// bf16 is the top half of an f32: widen the bits, no 16-bit arithmetic involved.
fn unpack_bf16x2(v: u32) -> vec2<f32> {
    return bitcast<vec2<f32>>(vec2<u32>(v << 16u, v & 0xFFFF0000u));
}

fn loadw(e: u32) -> f32 {
    return unpack_bf16x2(w[e >> 1u])[e & 1u];
}

fn loadw4(e4: u32) -> vec4<f32> {
    return vec4<f32>(unpack_bf16x2(w[2u * e4]), unpack_bf16x2(w[2u * e4 + 1u]));
}

#include "matmul_vecsh.wgsli"
