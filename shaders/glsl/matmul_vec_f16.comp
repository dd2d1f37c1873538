#version 450
// matmul_vec_f16 — mat-vec linear layer (decode, M <= 8), subgroup reduction,
// f16 weights read as float16_t (16-bit storage).
// Bindings, push constants and specialization constants: see matmul_linear.glsl and matmul_vec.glsl.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_16bit_storage : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#define VEC_SUBGROUP
#define W_F16
#include "matmul_vec.glsl"
