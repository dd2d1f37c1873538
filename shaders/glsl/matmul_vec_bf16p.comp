#version 450
// matmul_vec_bf16p — mat-vec linear layer (decode, M <= 8), subgroup reduction,
// bf16 weights read as packed uint32 pairs.
// Bindings, push constants and specialization constants: see matmul_linear.glsl and matmul_vec.glsl.
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#define VEC_SUBGROUP
#define W_BF16P
#include "matmul_vec.glsl"
