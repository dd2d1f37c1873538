#version 450
// matmul_vec_f32 — mat-vec linear layer (decode, M <= 8), subgroup reduction,
// f32 weights.
// Bindings, push constants and specialization constants: see matmul_linear.glsl and matmul_vec.glsl.
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#define VEC_SUBGROUP
#define W_F32
#include "matmul_vec.glsl"
