// attn_decode.glsl — the body of attn_decode_f32 and attn_decode_sg_f32 (which differ only in how the
// workgroup reduces: ATTN_SUBGROUP set uses subgroupMax/subgroupAdd, else a workgroup-memory tree).
//
// Decode attention: a few query rows against a long KV cache, the key axis split over workgroups.
// Workgroup (h, s, i) covers query row i, head h, keys [s*chunk, min(kv_len, (s+1)*chunk)), in tiles of one
// key per invocation: scores, tile max and sum by reduction, then each invocation accumulates p*v for the
// head dimensions it owns (d = tid, tid + WG, ...), so V rows are read contiguously across invocations.
//   splits == 1: out[i,h,:] = acc / l, lse[h,i] = m + log(l) (when has_lse).
//   splits  > 1: partial[((i*q_heads + h)*splits + s)*(D+2) + {0: m, 1: l, 2..: acc}], for
//                attn_decode_combine_f32.
// Masking, GQA, K/V layout and positions: as attn_prefill_f32.
// Bindings: 0 q, 1 k, 2 v, 3 pos_q, 4 pos_k (read), 5 out, 6 lse, 7 partial (written).
// Push constants: gpu_params_attention (splits, chunk). Grid: x = q_heads, y = splits, z = q_len.
// Specialization constants: 0 workgroup size (default 64; a power of two for the tree reduction),
//           1 D = head_dim (default 64).
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;
layout(constant_id = 1) const uint D = 64;
const uint NACC = (D + gl_WorkGroupSize.x - 1u) / gl_WorkGroupSize.x; // head dimensions per invocation

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

shared float qs[D];                   // the scaled query row, read by every invocation
shared float ps[gl_WorkGroupSize.x];  // the tile's probabilities
shared float red[gl_WorkGroupSize.x]; // per invocation (tree) or per subgroup (at most WG of them)

// Both reductions return the same value in every invocation and contain barriers: call them in uniform
// control flow only.
#ifdef ATTN_SUBGROUP
float reduce_max(float x) {
    x = subgroupMax(x);
    if (subgroupElect()) red[gl_SubgroupID] = x;
    barrier();
    float r = red[0];
    for (uint i = 1u; i < gl_NumSubgroups; i++) r = max(r, red[i]);
    barrier();
    return r;
}
float reduce_sum(float x) {
    x = subgroupAdd(x);
    if (subgroupElect()) red[gl_SubgroupID] = x;
    barrier();
    float r = red[0];
    for (uint i = 1u; i < gl_NumSubgroups; i++) r += red[i];
    barrier();
    return r;
}
#else
float reduce_max(float x) {
    uint t = gl_LocalInvocationID.x;
    red[t] = x;
    barrier();
    for (uint w = gl_WorkGroupSize.x / 2u; w > 0u; w /= 2u) {
        if (t < w) red[t] = max(red[t], red[t + w]);
        barrier();
    }
    float r = red[0];
    barrier();
    return r;
}
float reduce_sum(float x) {
    uint t = gl_LocalInvocationID.x;
    red[t] = x;
    barrier();
    for (uint w = gl_WorkGroupSize.x / 2u; w > 0u; w /= 2u) {
        if (t < w) red[t] += red[t + w];
        barrier();
    }
    float r = red[0];
    barrier();
    return r;
}
#endif

void main() {
    uint h = gl_WorkGroupID.x, split = gl_WorkGroupID.y, row = gl_WorkGroupID.z, t = gl_LocalInvocationID.x;
    const uint WG = gl_WorkGroupSize.x;
    uint g = h / (p.q_heads / p.kv_heads);
    uint qo = (row * p.q_heads + h) * D, kvo = g * p.kv_head_stride;
    for (uint d = t; d < D; d += WG) qs[d] = q[qo + d] * p.scale;
    barrier();
    int pq = p.causal != 0u ? pos_q[row] : 0;
    uint c0 = split * p.chunk, c1 = min(p.kv_len, c0 + p.chunk);
    float m = NEG_INF, l = 0.0;
    float acc[NACC];
    for (uint i = 0u; i < NACC; i++) acc[i] = 0.0;
    for (uint j0 = c0; j0 < c1; j0 += WG) {
        uint j = j0 + t;
        bool visible = j < c1 && (p.causal == 0u || pos_k[j] <= pq);
        float s = NEG_INF;
        if (visible) {
            uint ko = j * p.kv_row_stride + kvo;
            s = 0.0;
            for (uint d = 0u; d < D; d++) s += qs[d] * k[ko + d];
        }
        float tmax = reduce_max(s);
        if (tmax == NEG_INF) continue; // uniform: every invocation sees the same tmax
        float mn = max(m, tmax);
        float corr = m == NEG_INF ? 0.0 : exp(m - mn);
        float pj = visible ? exp(s - mn) : 0.0;
        ps[t] = pj;
        l = l * corr + reduce_sum(pj); // its barriers also publish ps
        uint n = min(WG, c1 - j0);
        for (uint i = 0u; i < NACC; i++) {
            uint d = t + i * WG;
            if (d >= D) break;
            float a = acc[i] * corr;
            for (uint jj = 0u; jj < n; jj++) a += ps[jj] * v[(j0 + jj) * p.kv_row_stride + kvo + d];
            acc[i] = a;
        }
        m = mn;
        barrier(); // ps is rewritten by the next tile
    }
    if (p.splits == 1u) {
        float inv = l > 0.0 ? 1.0 / l : 0.0;
        for (uint i = 0u; i < NACC; i++) {
            uint d = t + i * WG;
            if (d < D) o[qo + d] = acc[i] * inv;
        }
        if (t == 0u && p.has_lse != 0u) lse[h * p.q_len + row] = l > 0.0 ? m + log(l) : NEG_INF;
    } else {
        uint base = ((row * p.q_heads + h) * p.splits + split) * (D + 2u);
        if (t == 0u) {
            partial[base] = m;
            partial[base + 1u] = l;
        }
        for (uint i = 0u; i < NACC; i++) {
            uint d = t + i * WG;
            if (d < D) partial[base + 2u + d] = acc[i];
        }
    }
}
