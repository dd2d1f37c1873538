// matmul_tiled_f32 — WGSL twin of shaders/glsl/matmul_tiled_f32.comp (matmul_tiled.glsl, matmul_linear.glsl,
// matmul_weights.glsl): tiled linear layer (prefill), f32 weights.
//   y[m, y_col + n] (+)= sum_k x[m,k] * w[n,k] (+ bias[y_col + n]), accumulate = 1 adding into y; each
//   invocation computes a TM x TN block of y in registers, reading x and w straight from memory; K % 4 == 0
//   takes the vec4 loop, other K the scalar fma loop; out-of-range rows and columns of a block load a clamped
//   row and are not stored.
// Bindings: 0 x [M,K], 1 w [N,K], 2 bias (indexed from y_col; ignored when has_bias = 0), 3 y [M, y_stride]
// (written, columns y_col .. y_col+N-1; read too when accumulate = 1), 4 params (uniform gpu_params_linear).
// Overrides: @id(0) workgroup x (column blocks, default 8), @id(1) workgroup y (row blocks, default 8),
// @id(2) TM rows per invocation (default 4), @id(3) TN columns per invocation (default 4); TM, TN <= 8
// (WGSL function-scope arrays need a constant size: the register block is declared 8 x 8, TM x TN used).
// All matmul_tiled_* / matmul_vecsh_* files share their body; only loadw / loadw4 and w's type differ.
struct Params { m: u32, n: u32, k: u32, has_bias: u32, y_stride: u32, y_col: u32, accumulate: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@id(0) override wgx: u32 = 8u;
@id(1) override wgy: u32 = 8u;
@id(2) override TM: u32 = 4u;
@id(3) override TN: u32 = 4u;
const MAXT = 8u;

// Weight element e of the row-major [N,K] weight, and elements 4*e4 .. 4*e4+3 (only when K % 4 == 0, so a
// group never crosses a row; matmul_weights.glsl).
fn loadw(e: u32) -> f32 {
    return w[e];
}

fn loadw4(e4: u32) -> vec4<f32> {
    let e = 4u * e4;
    return vec4<f32>(w[e], w[e + 1u], w[e + 2u], w[e + 3u]);
}

// x as vec4: WGSL cannot view one binding as two array types (GLSL's X1 / X4 aliases), so four scalar loads.
fn loadx4(e4: u32) -> vec4<f32> {
    let e = 4u * e4;
    return vec4<f32>(x[e], x[e + 1u], x[e + 2u], x[e + 3u]);
}

fn store_y(row: u32, col: u32, acc_in: f32) {
    var acc = acc_in;
    if (p.has_bias != 0u) {
        acc += bias[p.y_col + col];
    }
    let i = row * p.y_stride + p.y_col + col;
    if (p.accumulate != 0u) {
        acc += y[i];
    }
    y[i] = acc;
}

@compute @workgroup_size(wgx, wgy)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let row0 = gid.y * TM;
    let col0 = gid.x * TN;
    if (row0 >= p.m || col0 >= p.n) {
        return;
    }
    var acc: array<array<f32, MAXT>, MAXT>; // zero-initialised
    var xr: array<u32, MAXT>;
    var wr: array<u32, MAXT>;
    for (var i = 0u; i < TM; i++) {
        xr[i] = min(row0 + i, p.m - 1u) * p.k;
    }
    for (var j = 0u; j < TN; j++) {
        wr[j] = min(col0 + j, p.n - 1u) * p.k;
    }
    if ((p.k & 3u) == 0u) {
        for (var i = 0u; i < TM; i++) {
            xr[i] >>= 2u;
        }
        for (var j = 0u; j < TN; j++) {
            wr[j] >>= 2u;
        }
        let k4 = p.k >> 2u;
        var a: array<vec4<f32>, MAXT>;
        var b: array<vec4<f32>, MAXT>;
        for (var kk = 0u; kk < k4; kk++) {
            for (var i = 0u; i < TM; i++) {
                a[i] = loadx4(xr[i] + kk);
            }
            for (var j = 0u; j < TN; j++) {
                b[j] = loadw4(wr[j] + kk);
            }
            for (var i = 0u; i < TM; i++) {
                for (var j = 0u; j < TN; j++) {
                    acc[i][j] += dot(a[i], b[j]);
                }
            }
        }
    } else {
        var a: array<f32, MAXT>;
        var b: array<f32, MAXT>;
        for (var kk = 0u; kk < p.k; kk++) {
            for (var i = 0u; i < TM; i++) {
                a[i] = x[xr[i] + kk];
            }
            for (var j = 0u; j < TN; j++) {
                b[j] = loadw(wr[j] + kk);
            }
            for (var i = 0u; i < TM; i++) {
                for (var j = 0u; j < TN; j++) {
                    acc[i][j] = fma(a[i], b[j], acc[i][j]);
                }
            }
        }
    }
    for (var i = 0u; i < TM; i++) {
        for (var j = 0u; j < TN; j++) {
            if (row0 + i < p.m && col0 + j < p.n) {
                store_y(row0 + i, col0 + j, acc[i][j]);
            }
        }
    }
}
