#version 450
#extension GL_GOOGLE_include_directive : require
// norm_layer_f32 — shared-memory reductions (see norm_layer.glsl).
#include "norm_layer.glsl"
