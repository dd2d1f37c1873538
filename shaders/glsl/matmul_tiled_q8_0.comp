#version 450
// matmul_tiled_q8_0 — tiled linear layer (prefill),
// q8_0 weights (blocks of 32: f16 scale, int8 codes) read as uint32 words.
// Bindings, push constants and specialization constants: see matmul_linear.glsl and matmul_tiled.glsl.
#extension GL_GOOGLE_include_directive : require
#define W_Q8_0
#include "matmul_tiled.glsl"
