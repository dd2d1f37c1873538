#version 450
// matmul_tiled_q4_0 — tiled linear layer (prefill),
// q4_0 weights (blocks of 32: f16 scale, 4-bit codes) read as uint32 words.
// Bindings, push constants and specialization constants: see matmul_linear.glsl and matmul_tiled.glsl.
#extension GL_GOOGLE_include_directive : require
#define W_Q4_0
#include "matmul_tiled.glsl"
