#version 450
// attn_decode_combine_f32 — merges attn_decode_f32's per-split partials (m, l, acc) of each (row, head):
//   M = max_s m_s, L = sum_s l_s exp(m_s - M), out = sum_s acc_s exp(m_s - M) / L, lse = M + log(L);
// zeros and lse -inf when no split saw a visible key.
// Bindings: 0 partial [q_len, q_heads, splits, D+2] (read), 1 out [q_len, q_heads, D] (written),
//           2 lse [q_heads, q_len] (written when has_lse).
// Push constants: gpu_params_attention (splits). Grid: x = q_heads, y = q_len.
// Specialization constants: 0 workgroup size (default 64), 1 D = head_dim (default 64).
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;
layout(constant_id = 1) const uint D = 64;

layout(std430, binding = 0) readonly buffer Partial { float partial[]; };
layout(std430, binding = 1) writeonly buffer Out { float o[]; };
layout(std430, binding = 2) writeonly buffer Lse { float lse[]; };
layout(push_constant) uniform Params {
    uint q_len; uint kv_len; uint q_heads; uint kv_heads; uint head_dim; uint kv_row_stride; uint kv_head_stride;
    uint causal; uint has_lse; float scale; uint row; uint splits; uint chunk;
} p;

#define NEG_INF uintBitsToFloat(0xff800000u)

void main() {
    uint h = gl_WorkGroupID.x, row = gl_WorkGroupID.y, t = gl_LocalInvocationID.x;
    uint base = (row * p.q_heads + h) * p.splits * (D + 2u), qo = (row * p.q_heads + h) * D;
    float mx = NEG_INF;
    for (uint s = 0u; s < p.splits; s++) mx = max(mx, partial[base + s * (D + 2u)]);
    float l = 0.0;
    if (mx != NEG_INF) {
        for (uint s = 0u; s < p.splits; s++) {
            float ms = partial[base + s * (D + 2u)];
            if (ms != NEG_INF) l += partial[base + s * (D + 2u) + 1u] * exp(ms - mx);
        }
    }
    float inv = l > 0.0 ? 1.0 / l : 0.0;
    for (uint d = t; d < D; d += gl_WorkGroupSize.x) {
        float a = 0.0;
        if (mx != NEG_INF) {
            for (uint s = 0u; s < p.splits; s++) {
                float ms = partial[base + s * (D + 2u)];
                if (ms != NEG_INF) a += partial[base + s * (D + 2u) + 2u + d] * exp(ms - mx);
            }
        }
        o[qo + d] = a * inv;
    }
    if (t == 0u && p.has_lse != 0u) lse[h * p.q_len + row] = l > 0.0 ? mx + log(l) : NEG_INF;
}
