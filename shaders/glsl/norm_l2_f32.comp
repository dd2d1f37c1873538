#version 450
#extension GL_GOOGLE_include_directive : require
// norm_l2_f32 — shared-memory reductions (see norm_l2.glsl).
#include "norm_l2.glsl"
