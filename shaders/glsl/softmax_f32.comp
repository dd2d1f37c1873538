#version 450
#extension GL_GOOGLE_include_directive : require
// softmax_f32 — shared-memory reductions (see softmax_rows.glsl).
#include "softmax_rows.glsl"
