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
// Push constants: gpu_params_attention. Grid: x = ceil(q_len / local size), y = q_heads.
// Specialization constants: 0 workgroup size (rows per workgroup, default 64), 1 D = head_dim (default 64),
//           2 keys per block (default 4: scores of a block are independent work between rescales; lavapipe's
//           compile time grows steeply with BC * D, 2.4 s for one pipeline at 16 * 16).
// One invocation per query row keeps the running max, sum and accumulator in registers and walks the keys
// block by block: scores of a block first, then at most one rescale per block instead of one per key. K/V rows are
// read from global memory (every row of a workgroup reads the same key, so caches broadcast it); CPU
// drivers measured slower with workgroup-memory staging (ENVIRONMENT.md).
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

void main() {
    uint row = gl_GlobalInvocationID.x, h = gl_WorkGroupID.y;
    if (row >= p.q_len) return; // no barriers below: idle rows may leave
    uint g = h / (p.q_heads / p.kv_heads);
    uint qo = (row * p.q_heads + h) * D, kvo = g * p.kv_head_stride;
    float qr[D], acc[D];
    for (uint d = 0u; d < D; d++) {
        qr[d] = q[qo + d] * p.scale; // scaling q once costs D multiplies instead of one per key
        acc[d] = 0.0;
    }
    int pq = p.causal != 0u ? pos_q[row] : 0;
    float m = NEG_INF, l = 0.0;
    for (uint j0 = 0u; j0 < p.kv_len; j0 += BC) {
        float s[BC];
        float bmax = NEG_INF;
        for (uint jj = 0u; jj < BC; jj++) {
            uint j = j0 + jj;
            s[jj] = NEG_INF;
            if (j < p.kv_len && (p.causal == 0u || pos_k[j] <= pq)) {
                uint ko = j * p.kv_row_stride + kvo;
                float dot = 0.0;
                for (uint d = 0u; d < D; d++) dot += qr[d] * k[ko + d];
                s[jj] = dot;
                bmax = max(bmax, dot);
            }
        }
        if (bmax == NEG_INF) continue; // the whole block is masked
        if (bmax > m) { // rescale only when the running max moves: rare after the first blocks
            float corr = m == NEG_INF ? 0.0 : exp(m - bmax);
            l *= corr;
            for (uint d = 0u; d < D; d++) acc[d] *= corr;
            m = bmax;
        }
        for (uint jj = 0u; jj < BC; jj++) {
            if (s[jj] == NEG_INF) continue;
            float pj = exp(s[jj] - m);
            l += pj;
            uint vo = (j0 + jj) * p.kv_row_stride + kvo;
            for (uint d = 0u; d < D; d++) acc[d] += pj * v[vo + d];
        }
    }
    float inv = l > 0.0 ? 1.0 / l : 0.0; // no visible key: zeros, as the reference
    for (uint d = 0u; d < D; d++) o[qo + d] = acc[d] * inv;
    if (p.has_lse != 0u) lse[h * p.q_len + row] = l > 0.0 ? m + log(l) : NEG_INF;
}
