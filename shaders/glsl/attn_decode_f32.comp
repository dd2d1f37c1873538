#version 450
// attn_decode_f32 — decode attention, reductions through workgroup memory (devices without subgroup
// arithmetic). The kernel is shared with attn_decode_sg_f32: see attn_decode.glsl for bindings, push
// constants, grid and specialization constants.
#extension GL_GOOGLE_include_directive : require
#include "attn_decode.glsl"
