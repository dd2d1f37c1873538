#version 450
// matmul_tiled_bf16p — tiled linear layer (prefill),
// bf16 weights read as packed uint32 pairs.
// Bindings, push constants and specialization constants: see matmul_linear.glsl and matmul_tiled.glsl.
#extension GL_GOOGLE_include_directive : require
#define W_BF16P
#include "matmul_tiled.glsl"
