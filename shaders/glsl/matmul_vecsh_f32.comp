#version 450
// matmul_vecsh_f32 — mat-vec linear layer (decode, M <= 8), shared-memory reduction,
// f32 weights.
// Bindings, push constants and specialization constants: see matmul_linear.glsl and matmul_vec.glsl.
#extension GL_GOOGLE_include_directive : require
#define W_F32
#include "matmul_vec.glsl"
