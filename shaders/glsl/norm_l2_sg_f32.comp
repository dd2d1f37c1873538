#version 450
#extension GL_GOOGLE_include_directive : require
// norm_l2_sg_f32 — subgroup reductions (see norm_l2.glsl).
#define ROW_REDUCE_SUBGROUP
#include "norm_l2.glsl"
