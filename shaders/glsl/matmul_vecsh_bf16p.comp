#version 450
// matmul_vecsh_bf16p — mat-vec linear layer (decode, M <= 8), shared-memory reduction,
// bf16 weights read as packed uint32 pairs.
// Bindings, push constants and specialization constants: see matmul_linear.glsl and matmul_vec.glsl.
#extension GL_GOOGLE_include_directive : require
#define W_BF16P
#include "matmul_vec.glsl"
