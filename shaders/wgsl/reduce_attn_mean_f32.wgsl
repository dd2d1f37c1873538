// reduce_attn_mean_f32 — WGSL twin of shaders/glsl/reduce_attn_mean_f32.comp: the head-mean post-softmax
// attention matrix of one layer (FiCoCo's A):
//   probs[i, j] = (1/q_heads) sum_h exp(scale * q[i,h,:].k[j,g,:] - lse[h,i]),  g = h / (q_heads / kv_heads),
// 0 where query i may not see key j (causal: pos_k[j] > pos_q[i]); lse is attn_prefill_f32's for the same
// inputs. Only a block is computed: rows i = row0 + y (or, indexed, i = rows[y * index_stride]) for
// y < nrows, keys j = col0 + x for x < ncols; probs keeps the full [q_len, kv_len] layout.
// Bindings: 0 q [q_len, q_heads, D], 1 k (layout as attn_prefill_f32), 2 pos_q [q_len] i32, 3 pos_k [kv_len]
// i32 (ignored unless causal), 4 lse [q_heads, q_len], 5 probs [q_len, kv_len] (written), 6 rows i32
// (ignored unless indexed), 7 params (uniform gpu_params_attn_mean: gpu_params_attention's fields, then the
// block's, one flat struct with the C layout). Grid: x = ceil(ncols / local size), y = nrows.
// Overrides: @id(0) workgroup size (default 64), @id(1) D = head_dim (default 64).
struct Params {
    q_len: u32, kv_len: u32, q_heads: u32, kv_heads: u32, head_dim: u32, kv_row_stride: u32,
    kv_head_stride: u32, causal: u32, has_lse: u32, scale: f32, row: u32, splits: u32, chunk: u32,
    row0: u32, nrows: u32, col0: u32, ncols: u32, indexed: u32, index_stride: u32,
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> pos_q: array<i32>;
@group(0) @binding(3) var<storage, read> pos_k: array<i32>;
@group(0) @binding(4) var<storage, read> lse: array<f32>;
@group(0) @binding(5) var<storage, read_write> probs: array<f32>;
@group(0) @binding(6) var<storage, read> rows: array<i32>;
@group(0) @binding(7) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;
@id(1) override D: u32 = 64u;

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let x = gid.x;
    let y = wid.y;
    if (x >= p.ncols || y >= p.nrows) {
        return;
    }
    let j = p.col0 + x;
    var i = p.row0 + y;
    if (p.indexed != 0u) {
        i = u32(rows[y * p.index_stride]);
    }
    if (j >= p.kv_len || i >= p.q_len) {
        return;
    }
    let o = i * p.kv_len + j;
    if (p.causal != 0u && pos_k[j] > pos_q[i]) {
        probs[o] = 0.0;
        return;
    }
    let group = p.q_heads / p.kv_heads;
    var sum = 0.0;
    for (var h = 0u; h < p.q_heads; h++) {
        let qo = (i * p.q_heads + h) * D;
        let ko = j * p.kv_row_stride + (h / group) * p.kv_head_stride;
        var dot = 0.0;
        for (var d = 0u; d < D; d++) {
            dot += q[qo + d] * k[ko + d];
        }
        sum += exp(dot * p.scale - lse[h * p.q_len + i]);
    }
    probs[o] = sum / f32(p.q_heads);
}
