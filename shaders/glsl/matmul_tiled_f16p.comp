#version 450
// matmul_tiled_f16p — tiled linear layer (prefill),
// f16 weights read as packed uint32 pairs.
// Bindings, push constants and specialization constants: see matmul_linear.glsl and matmul_tiled.glsl.
#extension GL_GOOGLE_include_directive : require
#define W_F16P
#include "matmul_tiled.glsl"
