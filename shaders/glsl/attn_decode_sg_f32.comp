#version 450
// attn_decode_sg_f32 — decode attention, reductions with subgroup arithmetic (any subgroup size that
// divides the workgroup size). See attn_decode.glsl for bindings, push constants, grid and specialization
// constants.
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#define ATTN_SUBGROUP 1
#include "attn_decode.glsl"
