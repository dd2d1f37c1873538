// rope_qkv_f32 — WGSL twin of shaders/glsl/rope_qkv_f32.comp: places new tokens' attention inputs from one
// fused qkv projection in one dispatch:
//   q_out[t, h] = rope(qkv[t, h]) (h < q_heads),  k_out[t, h] = rope(qkv[t, q_heads + h]) (h < kv_heads),
//   v_out[t, h] = qkv[t, q_heads + kv_heads + h] (h < kv_heads),  pos_out[pos_first + t] = pos[t],
// head h of token t at t*in_stride + h*d in qkv, outputs dense [tokens, heads*d]. The rotation and sin/cos
// are rope_neox_f32.wgsl's (WGSL has no includes: sin_cos is repeated from there; keep the two equal).
// Bindings: 0 qkv (read), 1 pos (i32, read), 2 inv_freq (read), 3 q_out, 4 k_out, 5 v_out, 6 pos_out
// (written), 7 params (uniform gpu_params_rope_qkv). Overrides: @id(0) workgroup size (default 64).
// One invocation per (token, head of q|k|v, i < d/2), 2-D grid.
struct Params { tokens: u32, q_heads: u32, kv_heads: u32, head_dim: u32, in_stride: u32, pos_first: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> pos: array<i32>;
@group(0) @binding(2) var<storage, read> inv_freq: array<f32>;
@group(0) @binding(3) var<storage, read_write> q_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> k_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> v_out: array<f32>;
@group(0) @binding(6) var<storage, read_write> pos_out: array<i32>;
@group(0) @binding(7) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;

// (sin a, cos a)
fn sin_cos(a: f32) -> vec2<f32> {
    let q = floor(a * 0.636619772367581343 + 0.5);
    var r = a - q * 1.5703125;
    r = r - q * 4.825592041015625e-4;
    r = r - q * 1.2665987014770508e-6;
    r = r - q * 9.9209362947050295e-10;
    let z = r * r;
    let s = r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
    let c = 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
    let quadrant = i32(q) & 3; // two's complement: correct for negative q too
    if (quadrant == 0) {
        return vec2<f32>(s, c);
    }
    if (quadrant == 1) {
        return vec2<f32>(c, -s);
    }
    if (quadrant == 2) {
        return vec2<f32>(-s, -c);
    }
    return vec2<f32>(-c, s);
}

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid3: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let gid = gid3.x + gid3.y * nwg.x * wg;
    let half_d = p.head_dim / 2u;
    let heads = p.q_heads + 2u * p.kv_heads;
    if (gid >= p.tokens * heads * half_d) {
        return;
    }
    let i = gid % half_d;
    let th = gid / half_d;
    let h = th % heads;
    let t = th / heads;
    let xi = t * p.in_stride + h * p.head_dim + i;
    let x1 = x[xi];
    let x2 = x[xi + half_d];
    if (h == 0u && i == 0u) {
        pos_out[p.pos_first + t] = pos[t];
    }
    if (h >= p.q_heads + p.kv_heads) {
        let vi = (t * p.kv_heads + (h - p.q_heads - p.kv_heads)) * p.head_dim + i;
        v_out[vi] = x1;
        v_out[vi + half_d] = x2;
        return;
    }
    let sc = sin_cos(f32(pos[t]) * inv_freq[i]);
    let y1 = x1 * sc.y - x2 * sc.x;
    let y2 = x2 * sc.y + x1 * sc.x;
    if (h < p.q_heads) {
        let qi = (t * p.q_heads + h) * p.head_dim + i;
        q_out[qi] = y1;
        q_out[qi + half_d] = y2;
    } else {
        let ki = (t * p.kv_heads + (h - p.q_heads)) * p.head_dim + i;
        k_out[ki] = y1;
        k_out[ki + half_d] = y2;
    }
}
