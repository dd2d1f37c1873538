#version 450
// matmul_tiled_f32 — tiled linear layer (prefill),
// f32 weights.
// Bindings, push constants and specialization constants: see matmul_linear.glsl and matmul_tiled.glsl.
#extension GL_GOOGLE_include_directive : require
#define W_F32
#include "matmul_tiled.glsl"
