#version 450
// attn_decode_lanes_f32 — decode attention for CPU drivers: one subgroup per (kv head, key chunk, query row),
// every lane walking its own keys with its own online softmax, for all the query heads that share the kv head,
// and one subgroup reduction at the end. The shared-memory kernel (attn_decode.glsl) needs two reductions
// and a workgroup barrier per tile of keys; on lavapipe a barrier switches every SIMD group of the workgroup,
// which made attention 30% of a decoded token. Here there is no barrier, and each key and value element
// loaded serves the G = q_heads / kv_heads query heads of its group (GQA).
//   Lane t of workgroup (g, split, row) takes keys j = c0 + t, c0 + t + WG, ... < c1 (the split's chunk, as
//   attn_decode.glsl), each visible key updating, per query head h of group g, the lane's running max m_h,
//   sum l_h and accumulator acc_h[D]. Then M_h = subgroupMax(m_h), and l_h and acc_h scaled by
//   exp(m_h - M_h) are summed over the lanes (subgroupAdd).
//   splits == 1: out[row,h,:] = acc / l, lse[h,row] = M + log(l) (when has_lse).
//   splits  > 1: partial[((row*q_heads + h)*splits + split)*(D+2) + {0: M, 1: l, 2..: acc}] for
//                attn_decode_combine_f32, exactly as attn_decode.glsl writes it.
// Bindings and push constants: as attn_decode.glsl. Grid: x = kv_heads, y = splits, z = q_len.
// Specialization constants: 0 workgroup size = the subgroup size (the op guarantees a workgroup is one
// subgroup), 1 D = head_dim, 2 G = query heads per kv head; G * D <= GPU_ATTN_PREFILL_PRIVATE_FLOATS / 2.
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
layout(local_size_x_id = 0) in;
layout(local_size_x = 8) in;
layout(constant_id = 1) const uint D = 64;
layout(constant_id = 2) const uint G = 1;

layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer K { float k[]; };
layout(std430, binding = 2) readonly buffer V { float v[]; };
layout(std430, binding = 3) readonly buffer PosQ { int pos_q[]; };
layout(std430, binding = 4) readonly buffer PosK { int pos_k[]; };
layout(std430, binding = 5) writeonly buffer Out { float o[]; };
layout(std430, binding = 6) writeonly buffer Lse { float lse[]; };
layout(std430, binding = 7) writeonly buffer Partial { float partial[]; };
layout(push_constant) uniform Params {
    uint q_len; uint kv_len; uint q_heads; uint kv_heads; uint head_dim; uint kv_row_stride; uint kv_head_stride;
    uint causal; uint has_lse; float scale; uint row; uint splits; uint chunk;
} p;

#define NEG_INF uintBitsToFloat(0xff800000u)

void main() {
    uint g = gl_WorkGroupID.x, split = gl_WorkGroupID.y, row = gl_WorkGroupID.z, t = gl_LocalInvocationID.x;
    const uint WG = gl_WorkGroupSize.x;
    uint h0 = g * G, kvo = g * p.kv_head_stride;
    float qr[G][D], acc[G][D], m[G], l[G];
    for (uint i = 0u; i < G; i++) {
        uint qo = (row * p.q_heads + h0 + i) * D;
        for (uint d = 0u; d < D; d++) {
            qr[i][d] = q[qo + d] * p.scale;
            acc[i][d] = 0.0;
        }
        m[i] = NEG_INF;
        l[i] = 0.0;
    }
    int pq = p.causal != 0u ? pos_q[row] : 0;
    uint c0 = split * p.chunk, c1 = min(p.kv_len, c0 + p.chunk);
    for (uint j = c0 + t; j < c1; j += WG) {
        if (p.causal != 0u && pos_k[j] > pq) continue;
        uint ko = j * p.kv_row_stride + kvo;
        float s[G];
        for (uint i = 0u; i < G; i++) s[i] = 0.0;
        for (uint d = 0u; d < D; d++) {
            float kd = k[ko + d];
            for (uint i = 0u; i < G; i++) s[i] += qr[i][d] * kd;
        }
        float pj[G];
        for (uint i = 0u; i < G; i++) {
            if (s[i] > m[i]) { // rescale only when the lane's running max moves
                float corr = m[i] == NEG_INF ? 0.0 : exp(m[i] - s[i]);
                l[i] *= corr;
                for (uint d = 0u; d < D; d++) acc[i][d] *= corr;
                m[i] = s[i];
            }
            pj[i] = exp(s[i] - m[i]);
            l[i] += pj[i];
        }
        for (uint d = 0u; d < D; d++) {
            float vd = v[ko + d];
            for (uint i = 0u; i < G; i++) acc[i][d] += pj[i] * vd;
        }
    }
    // lanes merge: every lane ends with the subgroup's values (uniform control flow from here on)
    for (uint i = 0u; i < G; i++) {
        float mx = subgroupMax(m[i]);
        float f = m[i] == NEG_INF ? 0.0 : exp(m[i] - mx);
        float lt = subgroupAdd(l[i] * f);
        uint h = h0 + i;
        if (p.splits == 1u) {
            float inv = lt > 0.0 ? 1.0 / lt : 0.0; // no visible key: zeros, as the reference
            uint qo = (row * p.q_heads + h) * D;
            for (uint d = 0u; d < D; d++) {
                float a = subgroupAdd(acc[i][d] * f);
                if (d % WG == t) o[qo + d] = a * inv;
            }
            if (t == 0u && p.has_lse != 0u) lse[h * p.q_len + row] = lt > 0.0 ? mx + log(lt) : NEG_INF;
        } else {
            uint base = ((row * p.q_heads + h) * p.splits + split) * (D + 2u);
            for (uint d = 0u; d < D; d++) {
                float a = subgroupAdd(acc[i][d] * f);
                if (d % WG == t) partial[base + 2u + d] = a;
            }
            if (t == 0u) {
                partial[base] = mx;
                partial[base + 1u] = lt;
            }
        }
    }
}
