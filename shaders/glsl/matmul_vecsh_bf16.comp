#version 450
// matmul_vecsh_bf16 — mat-vec linear layer (decode, M <= 8), shared-memory reduction,
// bf16 weights read as uint16_t (16-bit storage).
// Bindings, push constants and specialization constants: see matmul_linear.glsl and matmul_vec.glsl.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_16bit_storage : require
#define W_BF16
#include "matmul_vec.glsl"
