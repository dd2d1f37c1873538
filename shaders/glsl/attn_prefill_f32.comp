#version 450
// attn_prefill_f32 — multi-head attention over a whole block of query rows, online softmax (flash-style):
//   out[i,h,:] = sum_j softmax_j(scale * q[i,h,:].k[j,g,:]) v[j,g,:],  g = h / (q_heads / kv_heads) (GQA),
// over the keys j < kv_len that query i may see: all of them (bidirectional), or pos_k[j] <= pos_q[i]
// (causal by position, so pruned sequences with gapped positions need no renumbering).
// lse[h,i] = log(sum_j exp(scale * q.k)) over the visible keys (natural log, -inf when none is visible).
// Bindings: 0 q [q_len, q_heads, D] (read), 1 k, 2 v (read; element (j, g, d) at j*kv_row_stride +
//           g*kv_head_stride + d, so a KV cache of larger capacity, token- or head-major, binds directly),
//           3 pos_q [q_len] int32, 4 pos_k [kv_len] int32 (read; ignored unless causal),
//           5 out [q_len, q_heads, D] (written), 6 lse [q_heads, q_len] (written when has_lse).
// Push constants: gpu_params_attention. Grid: x = ceil(q_len / (local size * RB)), y = q_heads.
// Specialization constants: 0 workgroup size (default 64), 1 D = head_dim (default 64), 2 keys per block
//           (default 4: scores of a block are independent work between rescales; lavapipe's compile time grows
//           steeply with BC * D, 2.4 s for one pipeline at 16 * 16), 3 RB query rows per invocation (default 1;
//           2 * RB * D <= GPU_ATTN_PREFILL_PRIVATE_FLOATS).
// An invocation owns RB consecutive query rows and keeps their running max, sum and accumulator in registers
// while it walks the keys block by block: scores of a block first, then at most one rescale per block instead
// of one per key. Each K/V element loaded serves all RB rows (register blocking, as in the tiled matmul): on CPU
// drivers, where registers are memory anyway, RB 32 measured 3-5x faster than RB 1. K/V rows are read from
// global memory (every invocation of a workgroup reads the same key, so caches broadcast it); CPU drivers
// measured slower with workgroup-memory staging (ENVIRONMENT.md).
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;
layout(constant_id = 1) const uint D = 64;
layout(constant_id = 2) const uint BC = 4;

layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer K { float k[]; };
layout(std430, binding = 2) readonly buffer V { float v[]; };
layout(std430, binding = 3) readonly buffer PosQ { int pos_q[]; };
layout(std430, binding = 4) readonly buffer PosK { int pos_k[]; };
layout(std430, binding = 5) writeonly buffer Out { float o[]; };
layout(std430, binding = 6) writeonly buffer Lse { float lse[]; };
layout(push_constant) uniform Params {
    uint q_len; uint kv_len; uint q_heads; uint kv_heads; uint head_dim; uint kv_row_stride; uint kv_head_stride;
    uint causal; uint has_lse; float scale; uint row; uint splits; uint chunk;
} p;

#define NEG_INF uintBitsToFloat(0xff800000u)

layout(constant_id = 3) const uint RB = 1; // query rows per invocation: each key and value load serves RB rows

void main() {
    const uint WG = gl_WorkGroupSize.x;
    uint h = gl_WorkGroupID.y, base = (gl_WorkGroupID.x * WG + gl_LocalInvocationID.x) * RB;
    if (base >= p.q_len) return; // no barriers below: idle rows may leave
    uint g = h / (p.q_heads / p.kv_heads), kvo = g * p.kv_head_stride;
    // rows base .. base + RB - 1, clamped to the last row (a clamped row is computed again, stored once)
    uint rows[RB];
    float qr[RB][D], acc[RB][D], m[RB], l[RB];
    int pq[RB];
    for (uint r = 0u; r < RB; r++) {
        rows[r] = min(base + r, p.q_len - 1u);
        uint qo = (rows[r] * p.q_heads + h) * D;
        for (uint d = 0u; d < D; d++) {
            qr[r][d] = q[qo + d] * p.scale; // scaling q once costs D multiplies instead of one per key
            acc[r][d] = 0.0;
        }
        pq[r] = p.causal != 0u ? pos_q[rows[r]] : 0;
        m[r] = NEG_INF;
        l[r] = 0.0;
    }
    int pq_max = pq[0]; // a key past every row's position is skipped before its dot products
    for (uint r = 1u; r < RB; r++) pq_max = max(pq_max, pq[r]);
    for (uint j0 = 0u; j0 < p.kv_len; j0 += BC) {
        float s[RB][BC];
        float bmax[RB];
        bool any = false;
        for (uint r = 0u; r < RB; r++) bmax[r] = NEG_INF;
        for (uint jj = 0u; jj < BC; jj++) {
            uint j = j0 + jj;
            for (uint r = 0u; r < RB; r++) s[r][jj] = NEG_INF;
            if (j >= p.kv_len) continue;
            int pk = p.causal != 0u ? pos_k[j] : 0;
            if (pk > pq_max) continue;
            uint ko = j * p.kv_row_stride + kvo;
            float dot[RB];
            for (uint r = 0u; r < RB; r++) dot[r] = 0.0;
            for (uint d = 0u; d < D; d++) {
                float kd = k[ko + d];
                for (uint r = 0u; r < RB; r++) dot[r] += qr[r][d] * kd;
            }
            for (uint r = 0u; r < RB; r++) {
                if (pk <= pq[r]) {
                    s[r][jj] = dot[r];
                    bmax[r] = max(bmax[r], dot[r]);
                    any = true;
                }
            }
        }
        if (!any) continue; // the whole block is masked for every row
        float pj[RB][BC];
        for (uint r = 0u; r < RB; r++) {
            if (bmax[r] > m[r]) { // rescale only when the running max moves: rare after the first blocks
                float corr = m[r] == NEG_INF ? 0.0 : exp(m[r] - bmax[r]);
                l[r] *= corr;
                for (uint d = 0u; d < D; d++) acc[r][d] *= corr;
                m[r] = bmax[r];
            }
            for (uint jj = 0u; jj < BC; jj++) {
                pj[r][jj] = s[r][jj] == NEG_INF ? 0.0 : exp(s[r][jj] - m[r]);
                l[r] += pj[r][jj];
            }
        }
        for (uint jj = 0u; jj < BC; jj++) {
            if (j0 + jj >= p.kv_len) break;
            uint vo = (j0 + jj) * p.kv_row_stride + kvo;
            for (uint d = 0u; d < D; d++) {
                float vd = v[vo + d];
                for (uint r = 0u; r < RB; r++) acc[r][d] += pj[r][jj] * vd;
            }
        }
    }
    for (uint r = 0u; r < RB; r++) {
        if (base + r >= p.q_len) break; // a clamped duplicate of the last row
        uint qo = (rows[r] * p.q_heads + h) * D;
        float inv = l[r] > 0.0 ? 1.0 / l[r] : 0.0; // no visible key: zeros, as the reference
        for (uint d = 0u; d < D; d++) o[qo + d] = acc[r][d] * inv;
        if (p.has_lse != 0u) lse[h * p.q_len + rows[r]] = l[r] > 0.0 ? m[r] + log(l[r]) : NEG_INF;
    }
}
