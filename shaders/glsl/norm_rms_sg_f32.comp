#version 450
#extension GL_GOOGLE_include_directive : require
// norm_rms_sg_f32 — RMSNorm with subgroup reductions (see norm_rms.glsl).
#define ROW_REDUCE_SUBGROUP
#include "norm_rms.glsl"
