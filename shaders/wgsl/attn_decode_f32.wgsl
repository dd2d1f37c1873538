// attn_decode_f32 — WGSL twin of shaders/glsl/attn_decode_f32.comp (attn_decode.glsl without ATTN_SUBGROUP):
// decode attention, a few query rows against a long KV cache, the key axis split over workgroups, reductions
// through workgroup memory.
// Workgroup (h, s, i) covers query row i, head h, keys [s*chunk, min(kv_len, (s+1)*chunk)), in tiles of one
// key per invocation: scores, tile max and sum by reduction, then each invocation accumulates p*v for the head
// dimensions it owns (d = tid, tid + WG, ...).
//   splits == 1: out[i,h,:] = acc / l, lse[h,i] = m + log(l) (when has_lse).
//   splits  > 1: partial[((i*q_heads + h)*splits + s)*(D+2) + {0: m, 1: l, 2..: acc}], for
//                attn_decode_combine_f32.
// Masking, GQA, K/V layout and positions: as attn_prefill_f32.
// Bindings: 0 q, 1 k, 2 v, 3 pos_q, 4 pos_k (read), 5 out, 6 lse, 7 partial (written), 8 params (uniform
// gpu_params_attention). Eight storage buffers: WebGPU's default per-stage limit, exactly.
// Grid: x = q_heads, y = splits, z = q_len.
// Overrides: @id(0) workgroup size (power of two, default 64), @id(1) D = head_dim (default 64).
// Rewrites: the accumulator acc[NACC] lives in workgroup memory (acc_w[D]: element d belongs to invocation
// d % WG only, so nothing is shared), because WGSL function-scope arrays cannot be sized by overrides; the
// reductions return their result through workgroupUniformLoad, so the masked-tile `continue` is uniform to
// WGSL's uniformity analysis (which tests tmax's bits, not a comparison with the private -inf); -inf comes
// from a private variable's bits at run time.
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
@group(0) @binding(7) var<storage, read_write> partial: array<f32>;
@group(0) @binding(8) var<uniform> p: Params;

@id(0) override WG: u32 = 64u;
@id(1) override D: u32 = 64u;

var<workgroup> qs: array<f32, D>;     // the scaled query row, read by every invocation
var<workgroup> ps: array<f32, WG>;    // the tile's probabilities
var<workgroup> red: array<f32, WG>;   // the reduction tree
var<workgroup> acc_w: array<f32, D>;  // the accumulator, element d owned by invocation d % WG

var<private> neg_inf_bits: u32 = 0xFF800000u;

// Both reductions return the same value in every invocation and contain barriers: call them in uniform
// control flow only.
fn reduce_max(x: f32, t: u32) -> f32 {
    workgroupBarrier(); // red may still be read by the previous reduction
    red[t] = x;
    workgroupBarrier();
    for (var w = WG / 2u; w > 0u; w /= 2u) {
        if (t < w) {
            red[t] = max(red[t], red[t + w]);
        }
        workgroupBarrier();
    }
    return workgroupUniformLoad(&red[0]);
}

fn reduce_sum(x: f32, t: u32) -> f32 {
    workgroupBarrier();
    red[t] = x;
    workgroupBarrier();
    for (var w = WG / 2u; w > 0u; w /= 2u) {
        if (t < w) {
            red[t] += red[t + w];
        }
        workgroupBarrier();
    }
    return workgroupUniformLoad(&red[0]);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let h = wid.x;
    let split = wid.y;
    let row = wid.z;
    let NEG_INF = bitcast<f32>(neg_inf_bits);
    let g = h / (p.q_heads / p.kv_heads);
    let qo = (row * p.q_heads + h) * D;
    let kvo = g * p.kv_head_stride;
    for (var d = t; d < D; d += WG) {
        qs[d] = q[qo + d] * p.scale;
        acc_w[d] = 0.0;
    }
    workgroupBarrier();
    var pq = 0;
    if (p.causal != 0u) {
        pq = pos_q[row];
    }
    let c0 = split * p.chunk;
    let c1 = min(p.kv_len, c0 + p.chunk);
    var m = NEG_INF;
    var l = 0.0;
    for (var j0 = c0; j0 < c1; j0 += WG) {
        let j = j0 + t;
        let visible = j < c1 && (p.causal == 0u || pos_k[j] <= pq);
        var s = NEG_INF;
        if (visible) {
            let ko = j * p.kv_row_stride + kvo;
            s = 0.0;
            for (var d = 0u; d < D; d++) {
                s += qs[d] * k[ko + d];
            }
        }
        let tmax = reduce_max(s, t);
        // Uniform: every invocation sees the same tmax (compared by its bits: NEG_INF comes from a private
        // variable, which WGSL's uniformity analysis treats as possibly non-uniform).
        if (bitcast<u32>(tmax) == 0xFF800000u) {
            continue;
        }
        let mn = max(m, tmax);
        var corr = 0.0;
        if (m != NEG_INF) {
            corr = exp(m - mn);
        }
        var pj = 0.0;
        if (visible) {
            pj = exp(s - mn);
        }
        ps[t] = pj;
        l = l * corr + reduce_sum(pj, t); // its barriers also publish ps
        let n = min(WG, c1 - j0);
        for (var d = t; d < D; d += WG) {
            var a = acc_w[d] * corr;
            for (var jj = 0u; jj < n; jj++) {
                a += ps[jj] * v[(j0 + jj) * p.kv_row_stride + kvo + d];
            }
            acc_w[d] = a;
        }
        m = mn;
        workgroupBarrier(); // ps is rewritten by the next tile
    }
    if (p.splits == 1u) {
        var inv = 0.0;
        if (l > 0.0) {
            inv = 1.0 / l;
        }
        for (var d = t; d < D; d += WG) {
            o[qo + d] = acc_w[d] * inv;
        }
        if (t == 0u && p.has_lse != 0u) {
            var r = NEG_INF;
            if (l > 0.0) {
                r = m + log(l);
            }
            lse[h * p.q_len + row] = r;
        }
    } else {
        let base = ((row * p.q_heads + h) * p.splits + split) * (D + 2u);
        if (t == 0u) {
            partial[base] = m;
            partial[base + 1u] = l;
        }
        for (var d = t; d < D; d += WG) {
            partial[base + 2u + d] = acc_w[d];
        }
    }
}
