// attn_score_row_f32 — WGSL twin of shaders/glsl/attn_score_row_f32.comp: FastV's score row, the
// post-softmax attention of one query row r to every key, averaged over the query heads:
//   scores[j] = (1/q_heads) sum_h exp(scale * q[r,h,:].k[j,g,:] - lse[h,r]),  g = h / (q_heads / kv_heads),
// 0 for keys row r may not see (causal: pos_k[j] > pos_q[r]); lse is attn_prefill_f32's for the same inputs.
// Bindings: 0 q [q_len, q_heads, D], 1 k (layout as attn_prefill_f32), 2 pos_q [q_len] i32, 3 pos_k [kv_len]
// i32 (ignored unless causal), 4 lse [q_heads, q_len], 5 scores [kv_len] (written), 6 params (uniform
// gpu_params_attention, row = r). Grid: x = ceil(kv_len / local size).
// Overrides: @id(0) workgroup size (default 64), @id(1) D = head_dim (default 64).
struct Params {
    q_len: u32, kv_len: u32, q_heads: u32, kv_heads: u32, head_dim: u32, kv_row_stride: u32,
    kv_head_stride: u32, causal: u32, has_lse: u32, scale: f32, row: u32, splits: u32, chunk: u32,
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> pos_q: array<i32>;
@group(0) @binding(3) var<storage, read> pos_k: array<i32>;
@group(0) @binding(4) var<storage, read> lse: array<f32>;
@group(0) @binding(5) var<storage, read_write> scores: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;
@id(1) override D: u32 = 64u;

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let j = gid.x;
    if (j >= p.kv_len) {
        return;
    }
    if (p.causal != 0u && pos_k[j] > pos_q[p.row]) {
        scores[j] = 0.0;
        return;
    }
    let group = p.q_heads / p.kv_heads;
    var sum = 0.0;
    for (var h = 0u; h < p.q_heads; h++) {
        let qo = (p.row * p.q_heads + h) * D;
        let ko = j * p.kv_row_stride + (h / group) * p.kv_head_stride;
        var dot = 0.0;
        for (var d = 0u; d < D; d++) {
            dot += q[qo + d] * k[ko + d];
        }
        sum += exp(dot * p.scale - lse[h * p.q_len + p.row]);
    }
    scores[j] = sum / f32(p.q_heads);
}
