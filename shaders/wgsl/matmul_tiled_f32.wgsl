// matmul_tiled_f32 — WGSL twin of shaders/glsl/matmul_tiled_f32.comp (matmul_tiled.glsl, matmul_linear.glsl,
// matmul_weights.glsl): tiled linear layer (prefill), f32 weights.
// Bindings, overrides and the body: matmul_tiled.wgsli.
@group(0) @binding(1) var<storage, read> w: array<f32>;

// Weight element e of the row-major [N,K] weight, and elements 4*e4 .. 4*e4+3 (only when K % 4 == 0, so a
// group never crosses a row; matmul_weights.glsl).
fn loadw(e: u32) -> f32 {
    return w[e];
}

fn loadw4(e4: u32) -> vec4<f32> {
    let e = 4u * e4;
    return vec4<f32>(w[e], w[e + 1u], w[e + 2u], w[e + 3u]);
}

#include "matmul_tiled.wgsli"
