#version 450
#extension GL_GOOGLE_include_directive : require
// rope_neox_f32 — rotary position embedding, non-interleaved (NeoX / HF rotate_half) over the whole head:
// for each token t, head h, i < d/2, with x1 = x[t,h,i], x2 = x[t,h,i+d/2], a = float(pos[t]) * inv_freq[i]:
//   y[t,h,i] = x1*cos(a) - x2*sin(a),  y[t,h,i+d/2] = x2*cos(a) + x1*sin(a).
// The angle is the f32 product HF computes (inv_freq @ positions in float32); inv_freq comes from the host
// (gpu_rope_inv_freq_f32 gives torch's float32 1/theta^(2i/d); rope-scaling variants fill it themselves).
// cos/sin come from rope_sincos.glsl (not the GLSL builtins: Vulkan only bounds those on [-pi, pi], and angles
// reach the position count): Cody-Waite reduction by pi/2 with a four-part constant, exact for |a| < 1e5,
// then minimax polynomials on [-pi/4, pi/4]; error about 1e-7 against cos/sin of the same f32 angle.
// Bindings: 0 x (read), 1 pos (int32 [tokens], read), 2 inv_freq (f32 [d/2], read), 3 y (written).
// Token t's head h starts at t*in_stride + h*d in x and t*out_stride + h*d in y (strides >= heads*d let q/k be
// read from a fused qkv row or written into a cache row). Push constants: gpu_params_rope.
// Specialization constants: 0 workgroup size (default 64). One invocation per (token, head, i < d/2).
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Pos { int pos[]; };
layout(std430, binding = 2) readonly buffer Freq { float inv_freq[]; };
layout(std430, binding = 3) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint tokens; uint heads; uint head_dim; uint in_stride; uint out_stride; } p;

#include "rope_sincos.glsl"

void main() {
    uint gid = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    uint half_d = p.head_dim / 2u;
    if (gid >= p.tokens * p.heads * half_d) return;
    uint i = gid % half_d, th = gid / half_d;
    uint h = th % p.heads, t = th / p.heads;
    vec2 sc = sin_cos(float(pos[t]) * inv_freq[i]);
    uint xi = t * p.in_stride + h * p.head_dim + i, yi = t * p.out_stride + h * p.head_dim + i;
    float x1 = x[xi], x2 = x[xi + half_d];
    y[yi] = x1 * sc.y - x2 * sc.x;
    y[yi + half_d] = x2 * sc.y + x1 * sc.x;
}
