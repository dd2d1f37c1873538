// rope_neox_f32 — WGSL twin of shaders/glsl/rope_neox_f32.comp: rotary position embedding, non-interleaved
// (NeoX / HF rotate_half) over the whole head: for token t, head h, i < d/2, with x1 = x[t,h,i],
// x2 = x[t,h,i+d/2], a = f32(pos[t]) * inv_freq[i]:
//   y[t,h,i] = x1*cos(a) - x2*sin(a),  y[t,h,i+d/2] = x2*cos(a) + x1*sin(a).
// cos/sin are computed here, as in the GLSL kernel (the builtins are only bounded on [-pi, pi] there, and
// WGSL promises no more): Cody-Waite reduction by pi/2 with a four-part constant, exact for |a| < 1e5, then
// minimax polynomials on [-pi/4, pi/4]. WGSL has no `precise`; none is needed for the reduction: q * P1..P3
// are exact products (8-bit constants, |q| < 2^16), so a fused multiply-add gives the same r, and WGSL
// compilers do not reassociate floating-point arithmetic.
// Bindings: 0 x (read), 1 pos (i32 [tokens], read), 2 inv_freq (f32 [d/2], read), 3 y (written), 4 params
// (uniform gpu_params_rope). Token t's head h starts at t*in_stride + h*d in x and t*out_stride + h*d in y.
// Overrides: @id(0) workgroup size (default 64). One invocation per (token, head, i < d/2), 2-D grid.
struct Params { tokens: u32, heads: u32, head_dim: u32, in_stride: u32, out_stride: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> pos: array<i32>;
@group(0) @binding(2) var<storage, read> inv_freq: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

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
    if (gid >= p.tokens * p.heads * half_d) {
        return;
    }
    let i = gid % half_d;
    let th = gid / half_d;
    let h = th % p.heads;
    let t = th / p.heads;
    let sc = sin_cos(f32(pos[t]) * inv_freq[i]);
    let xi = t * p.in_stride + h * p.head_dim + i;
    let yi = t * p.out_stride + h * p.head_dim + i;
    let x1 = x[xi];
    let x2 = x[xi + half_d];
    y[yi] = x1 * sc.y - x2 * sc.x;
    y[yi + half_d] = x2 * sc.y + x1 * sc.x;
}
