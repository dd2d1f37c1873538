#version 450
#extension GL_GOOGLE_include_directive : require
// softmax_sg_f32 — subgroup reductions (see softmax_rows.glsl).
#define ROW_REDUCE_SUBGROUP
#include "softmax_rows.glsl"
