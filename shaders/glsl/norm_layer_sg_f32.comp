#version 450
#extension GL_GOOGLE_include_directive : require
// norm_layer_sg_f32 — subgroup reductions (see norm_layer.glsl).
#define ROW_REDUCE_SUBGROUP
#include "norm_layer.glsl"
