// attn_prefill_f32 — WGSL twin of shaders/glsl/attn_prefill_f32.comp: multi-head attention over a whole block
// of query rows, online softmax (flash-style):
//   out[i,h,:] = sum_j softmax_j(scale * q[i,h,:].k[j,g,:]) v[j,g,:],  g = h / (q_heads / kv_heads) (GQA),
// over the keys j < kv_len that query i may see: all of them (causal 0), or pos_k[j] <= pos_q[i] (causal 1).
// lse[h,i] = log(sum_j exp(scale * q.k)) over the visible keys (natural log, -inf when none is visible).
// Bindings: 0 q [q_len, q_heads, D], 1 k, 2 v (element (j, g, d) at j*kv_row_stride + g*kv_head_stride + d),
//           3 pos_q [q_len] i32, 4 pos_k [kv_len] i32 (ignored unless causal), 5 out [q_len, q_heads, D]
//           (written), 6 lse [q_heads, q_len] (written when has_lse), 7 params (uniform gpu_params_attention).
// Grid: x = ceil(q_len / local size), y = q_heads.
// Overrides: @id(0) workgroup size (rows per workgroup, default 64), @id(1) D = head_dim (default 64, at most
// GPU_ATTN_MAX_HEAD_DIM = 256), @id(2) keys per block BC (default 4, at most 16).
// One invocation per query row keeps the running max, sum and accumulator and walks the keys block by block:
// scores of a block first, then at most one rescale per block.
// Rewrites: WGSL function-scope arrays need a constant size, so the query row and accumulator are declared
// with 256 elements (D used) and the block's scores with 16 (BC used); -inf comes from a private variable's
// bits at run time (WGSL constants cannot be infinite).
struct Params {
    q_len: u32, kv_len: u32, q_heads: u32, kv_heads: u32, head_dim: u32, kv_row_stride: u32,
    kv_head_stride: u32, causal: u32, has_lse: u32, scale: f32, row: u32, splits: u32, chunk: u32,
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> pos_q: array<i32>;
@group(0) @binding(4) var<storage, read> pos_k: array<i32>;
@group(0) @binding(5) var<storage, read_write> o: array<f32>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;
@group(0) @binding(7) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;
@id(1) override D: u32 = 64u;
@id(2) override BC: u32 = 4u;
const MAX_D = 256u;
const MAX_BC = 16u;

var<private> neg_inf_bits: u32 = 0xFF800000u;

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let row = gid.x;
    let h = wid.y;
    if (row >= p.q_len) {
        return; // no barriers below: idle rows may leave
    }
    let NEG_INF = bitcast<f32>(neg_inf_bits);
    let g = h / (p.q_heads / p.kv_heads);
    let qo = (row * p.q_heads + h) * D;
    let kvo = g * p.kv_head_stride;
    var qr: array<f32, MAX_D>;
    var acc: array<f32, MAX_D>; // zero-initialised
    for (var d = 0u; d < D; d++) {
        qr[d] = q[qo + d] * p.scale; // scaling q once costs D multiplies instead of one per key
    }
    var pq = 0;
    if (p.causal != 0u) {
        pq = pos_q[row];
    }
    var m = NEG_INF;
    var l = 0.0;
    var s: array<f32, MAX_BC>;
    for (var j0 = 0u; j0 < p.kv_len; j0 += BC) {
        var bmax = NEG_INF;
        for (var jj = 0u; jj < BC; jj++) {
            let j = j0 + jj;
            s[jj] = NEG_INF;
            if (j < p.kv_len && (p.causal == 0u || pos_k[j] <= pq)) {
                let ko = j * p.kv_row_stride + kvo;
                var dot = 0.0;
                for (var d = 0u; d < D; d++) {
                    dot += qr[d] * k[ko + d];
                }
                s[jj] = dot;
                bmax = max(bmax, dot);
            }
        }
        if (bmax == NEG_INF) {
            continue; // the whole block is masked
        }
        if (bmax > m) { // rescale only when the running max moves
            var corr = 0.0;
            if (m != NEG_INF) {
                corr = exp(m - bmax);
            }
            l *= corr;
            for (var d = 0u; d < D; d++) {
                acc[d] *= corr;
            }
            m = bmax;
        }
        for (var jj = 0u; jj < BC; jj++) {
            if (s[jj] == NEG_INF) {
                continue;
            }
            let pj = exp(s[jj] - m);
            l += pj;
            let vo = (j0 + jj) * p.kv_row_stride + kvo;
            for (var d = 0u; d < D; d++) {
                acc[d] += pj * v[vo + d];
            }
        }
    }
    var inv = 0.0; // no visible key: zeros, as the reference
    if (l > 0.0) {
        inv = 1.0 / l;
    }
    for (var d = 0u; d < D; d++) {
        o[qo + d] = acc[d] * inv;
    }
    if (p.has_lse != 0u) {
        var r = NEG_INF;
        if (l > 0.0) {
            r = m + log(l);
        }
        lse[h * p.q_len + row] = r;
    }
}
