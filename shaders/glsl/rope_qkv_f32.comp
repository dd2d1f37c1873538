#version 450
#extension GL_GOOGLE_include_directive : require
// rope_qkv_f32 — places new tokens' attention inputs from one fused qkv projection, in one dispatch (decode
// would otherwise spend two rope dispatches and two copies per layer on it):
//   q_out[t, h]  = rope(qkv[t, h])                      h <  q_heads
//   k_out[t, h]  = rope(qkv[t, q_heads + h])            h <  kv_heads   (a key-cache row range)
//   v_out[t, h]  =      qkv[t, q_heads + kv_heads + h]  h <  kv_heads   (a value-cache row range)
//   pos_out[pos_first + t] = pos[t]                                     (the cache's positions)
// where head h of token t starts at t*in_stride + h*d in qkv, and the outputs are dense [tokens, heads*d].
// The rotation is rope_neox_f32's exactly (NeoX / HF rotate_half over the whole head, HF's f32 angle
// pos*inv_freq, sin/cos from rope_sincos.glsl), so both kernels give the same bits.
// Bindings: 0 qkv (read), 1 pos (int32 [tokens], read), 2 inv_freq (f32 [d/2], read), 3 q_out, 4 k_out,
// 5 v_out, 6 pos_out (written). Push constants: gpu_params_rope_qkv.
// Specialization constants: 0 workgroup size (default 64). One invocation per (token, head of q|k|v, i < d/2).
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Pos { int pos[]; };
layout(std430, binding = 2) readonly buffer Freq { float inv_freq[]; };
layout(std430, binding = 3) writeonly buffer Q { float q_out[]; };
layout(std430, binding = 4) writeonly buffer K { float k_out[]; };
layout(std430, binding = 5) writeonly buffer V { float v_out[]; };
layout(std430, binding = 6) writeonly buffer PosOut { int pos_out[]; };
layout(push_constant) uniform Params {
    uint tokens; uint q_heads; uint kv_heads; uint head_dim; uint in_stride; uint pos_first;
} p;

#include "rope_sincos.glsl"

void main() {
    uint gid = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    uint half_d = p.head_dim / 2u, heads = p.q_heads + 2u * p.kv_heads;
    if (gid >= p.tokens * heads * half_d) return;
    uint i = gid % half_d, th = gid / half_d;
    uint h = th % heads, t = th / heads;
    uint xi = t * p.in_stride + h * p.head_dim + i;
    float x1 = x[xi], x2 = x[xi + half_d];
    if (h == 0u && i == 0u) pos_out[p.pos_first + t] = pos[t];
    if (h >= p.q_heads + p.kv_heads) {
        uint vi = (t * p.kv_heads + (h - p.q_heads - p.kv_heads)) * p.head_dim + i;
        v_out[vi] = x1;
        v_out[vi + half_d] = x2;
        return;
    }
    vec2 sc = sin_cos(float(pos[t]) * inv_freq[i]);
    float y1 = x1 * sc.y - x2 * sc.x, y2 = x2 * sc.y + x1 * sc.x;
    if (h < p.q_heads) {
        uint qi = (t * p.q_heads + h) * p.head_dim + i;
        q_out[qi] = y1;
        q_out[qi + half_d] = y2;
    } else {
        uint ki = (t * p.kv_heads + (h - p.q_heads)) * p.head_dim + i;
        k_out[ki] = y1;
        k_out[ki + half_d] = y2;
    }
}
