#version 450
#extension GL_GOOGLE_include_directive : require
// norm_rms_f32 — RMSNorm with shared-memory reductions (see norm_rms.glsl).
#include "norm_rms.glsl"
