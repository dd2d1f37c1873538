// matmul_f32 — WGSL twin of shaders/glsl/matmul_f32.comp: y[m,n] = sum_k x[m,k] * w[n,k] (+ bias[n]).
// Bindings: 0 x [M,K], 1 w [N,K], 2 bias [N] (ignored when has_bias = 0), 3 y [M,N] (written),
//           4 params (uniform gpu_params_matmul).
// Overrides: @id(0) workgroup x (columns n, default 8), @id(1) workgroup y (rows m, default 8).
// One invocation per output element: the portable baseline.
struct Params { m: u32, n: u32, k: u32, has_bias: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@id(0) override wg_x: u32 = 8u;
@id(1) override wg_y: u32 = 8u;

@compute @workgroup_size(wg_x, wg_y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let col = gid.x;
    let row = gid.y;
    if (row >= p.m || col >= p.n) {
        return;
    }
    var acc = select(0.0, bias[col], p.has_bias != 0u);
    let xo = row * p.k;
    let wo = col * p.k;
    for (var i = 0u; i < p.k; i++) {
        acc += x[xo + i] * w[wo + i];
    }
    y[row * p.n + col] = acc;
}
