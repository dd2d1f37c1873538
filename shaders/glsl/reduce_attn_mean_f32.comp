#version 450
// reduce_attn_mean_f32 — the head-mean post-softmax attention matrix of one layer (FiCoCo's A):
//   probs[i, j] = (1/q_heads) sum_h exp(scale * q[i,h,:].k[j,g,:] - lse[h,i]),  g = h / (q_heads / kv_heads),
// 0 where query i may not see key j (causal: pos_k[j] > pos_q[i]). lse is attn_prefill_f32's output for the same
// q, k, scale and mask, so the fused attention stays fused and this is one pass per (row, key).
// Only a block is computed: rows i = row0 + y (or, indexed, i = rows[y * index_stride]) for y < nrows, keys
// j = col0 + x for x < ncols; probs keeps the full [q_len, kv_len] layout and other entries are left as they are.
// Bindings: 0 q [q_len, q_heads, D] (read), 1 k (read; layout as attn_prefill_f32), 2 pos_q [q_len] int32,
//           3 pos_k [kv_len] int32 (read; ignored unless causal), 4 lse [q_heads, q_len] (read),
//           5 probs [q_len, kv_len] (written), 6 rows int32 (read; ignored unless indexed).
// Push constants: gpu_params_attn_mean. Grid: x = ceil(ncols / local size), y = nrows.
// Specialization constants: 0 workgroup size (default 64), 1 D = head_dim (default 64).
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;
layout(constant_id = 1) const uint D = 64;

layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer K { float k[]; };
layout(std430, binding = 2) readonly buffer PosQ { int pos_q[]; };
layout(std430, binding = 3) readonly buffer PosK { int pos_k[]; };
layout(std430, binding = 4) readonly buffer Lse { float lse[]; };
layout(std430, binding = 5) writeonly buffer Probs { float probs[]; };
layout(std430, binding = 6) readonly buffer Rows { int rows[]; };
layout(push_constant) uniform Params {
    uint q_len; uint kv_len; uint q_heads; uint kv_heads; uint head_dim; uint kv_row_stride; uint kv_head_stride;
    uint causal; uint has_lse; float scale; uint row; uint splits; uint chunk;
    uint row0; uint nrows; uint col0; uint ncols; uint indexed; uint index_stride;
} p;

void main() {
    uint x = gl_GlobalInvocationID.x, y = gl_WorkGroupID.y;
    if (x >= p.ncols || y >= p.nrows) return;
    uint j = p.col0 + x, i = p.indexed != 0u ? uint(rows[y * p.index_stride]) : p.row0 + y;
    if (j >= p.kv_len || i >= p.q_len) return;
    uint o = i * p.kv_len + j;
    if (p.causal != 0u && pos_k[j] > pos_q[i]) {
        probs[o] = 0.0;
        return;
    }
    uint group = p.q_heads / p.kv_heads;
    float sum = 0.0;
    for (uint h = 0u; h < p.q_heads; h++) {
        uint qo = (i * p.q_heads + h) * D, ko = j * p.kv_row_stride + (h / group) * p.kv_head_stride;
        float dot = 0.0;
        for (uint d = 0u; d < D; d++) dot += q[qo + d] * k[ko + d];
        sum += exp(dot * p.scale - lse[h * p.q_len + i]);
    }
    probs[o] = sum / float(p.q_heads);
}
