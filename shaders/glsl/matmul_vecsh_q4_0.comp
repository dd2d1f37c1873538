#version 450
// matmul_vecsh_q4_0 — mat-vec linear layer (decode, M <= 8), shared-memory reduction,
// q4_0 weights (blocks of 32: f16 scale, 4-bit codes) read as uint32 words.
// Bindings, push constants and specialization constants: see matmul_linear.glsl and matmul_vec.glsl.
#extension GL_GOOGLE_include_directive : require
#define W_Q4_0
#include "matmul_vec.glsl"
