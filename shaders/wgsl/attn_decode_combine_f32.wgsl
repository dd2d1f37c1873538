// attn_decode_combine_f32 — WGSL twin of shaders/glsl/attn_decode_combine_f32.comp: merges attn_decode_f32's
// per-split partials (m, l, acc) of each (row, head):
//   M = max_s m_s, L = sum_s l_s exp(m_s - M), out = sum_s acc_s exp(m_s - M) / L, lse = M + log(L);
// zeros and lse -inf when no split saw a visible key.
// Bindings: 0 partial [q_len, q_heads, splits, D+2] (read), 1 out [q_len, q_heads, D] (written), 2 lse
// [q_heads, q_len] (written when has_lse), 3 params (uniform gpu_params_attention). Grid: x = q_heads,
// y = q_len. Overrides: @id(0) workgroup size (default 64), @id(1) D = head_dim (default 64).
// Rewrite: -inf comes from a private variable's bits at run time (WGSL constants cannot be infinite).
struct Params {
    q_len: u32, kv_len: u32, q_heads: u32, kv_heads: u32, head_dim: u32, kv_row_stride: u32,
    kv_head_stride: u32, causal: u32, has_lse: u32, scale: f32, row: u32, splits: u32, chunk: u32,
}

@group(0) @binding(0) var<storage, read> partial: array<f32>;
@group(0) @binding(1) var<storage, read_write> o: array<f32>;
@group(0) @binding(2) var<storage, read_write> lse: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;
@id(1) override D: u32 = 64u;

var<private> neg_inf_bits: u32 = 0xFF800000u;

@compute @workgroup_size(wg)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let h = wid.x;
    let row = wid.y;
    let NEG_INF = bitcast<f32>(neg_inf_bits);
    let base = (row * p.q_heads + h) * p.splits * (D + 2u);
    let qo = (row * p.q_heads + h) * D;
    var mx = NEG_INF;
    for (var s = 0u; s < p.splits; s++) {
        mx = max(mx, partial[base + s * (D + 2u)]);
    }
    var l = 0.0;
    if (mx != NEG_INF) {
        for (var s = 0u; s < p.splits; s++) {
            let ms = partial[base + s * (D + 2u)];
            if (ms != NEG_INF) {
                l += partial[base + s * (D + 2u) + 1u] * exp(ms - mx);
            }
        }
    }
    var inv = 0.0;
    if (l > 0.0) {
        inv = 1.0 / l;
    }
    for (var d = t; d < D; d += wg) {
        var a = 0.0;
        if (mx != NEG_INF) {
            for (var s = 0u; s < p.splits; s++) {
                let ms = partial[base + s * (D + 2u)];
                if (ms != NEG_INF) {
                    a += partial[base + s * (D + 2u) + 2u + d] * exp(ms - mx);
                }
            }
        }
        o[qo + d] = a * inv;
    }
    if (t == 0u && p.has_lse != 0u) {
        var r = NEG_INF;
        if (l > 0.0) {
            r = mx + log(l);
        }
        lse[h * p.q_len + row] = r;
    }
}
