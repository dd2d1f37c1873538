// matmul_vecsh_q4_0 — WGSL twin of shaders/glsl/matmul_vecsh_q4_0.comp (matmul_vec.glsl without VEC_SUBGROUP,
// matmul_linear.glsl, matmul_weights.glsl): mat-vec linear layer (decode, M <= 8), shared-memory reduction,
// q4_0 weights (blocks of 32: f16 scale, 4-bit codes) read as u32 words.
//   One workgroup per NR consecutive output columns (weight rows); its invocations stride along K (vec4
//   loads when K % 4 == 0, scalar fma otherwise), each keeping partial sums for every row of x, then a
//   shared-memory tree (the workgroup size must be a power of two) reduces them. The grid may be 2-D
//   (x + y * nx workgroups) when N / NR exceeds one axis's workgroup-count limit.
// Bindings: 0 x [M,K], 1 w [N,K], 2 bias (indexed from y_col; ignored when has_bias = 0), 3 y [M, y_stride]
// (written, columns y_col .. y_col+N-1; read too when accumulate = 1), 4 params (uniform gpu_params_linear).
// Overrides: @id(0) workgroup size (power of two, default 64), @id(1) NR columns per workgroup (default 2,
// at most 8: WGSL function-scope arrays need a constant size, so the partial sums are declared 8 x 8).
// Workgroup memory: 8 * NR * WG floats (ops_matmul.c's vec_config keeps it within the device's limit).
// All matmul_tiled_* / matmul_vecsh_* files share their body; only loadw / loadw4 and w's type differ.
struct Params { m: u32, n: u32, k: u32, has_bias: u32, y_stride: u32, y_col: u32, accumulate: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@id(0) override WG: u32 = 64u;
@id(1) override NR: u32 = 2u;
const MAXM = 8u; // rows of x handled; the op layer sends larger M to the tiled kernel
const MAXNR = 8u;

var<workgroup> partial: array<f32, MAXM * NR * WG>; // [row][column][invocation]

// Weight elements 4*e4 .. 4*e4+3 of the row-major [N,K] weight: group g = e4 % 8 of 32-element block e4 / 8,
// i.e. one nibble of each byte of word 1 + g % 4 of the block's 5 words (the low nibbles for g < 4, the high
// ones for g >= 4), minus 8, times the f16 scale in word 0's low half (matmul_weights.glsl, gpu/quant.h).
// K % 32 == 0 always takes the vec4 loop below; loadw is loadw4's element so that the scalar loop compiles
// and cannot disagree.
fn loadw4(e4: u32) -> vec4<f32> {
    let base = (e4 >> 3u) * 5u;
    let g = e4 & 7u;
    let v = w[base + 1u + (g & 3u)];
    let nibble = (vec4<u32>(v) >> (vec4<u32>(0u, 8u, 16u, 24u) + vec4<u32>((g >> 2u) * 4u))) & vec4<u32>(15u);
    return unpack2x16float(w[base]).x * (vec4<f32>(nibble) - vec4<f32>(8.0));
}

fn loadw(e: u32) -> f32 {
    return loadw4(e >> 2u)[e & 3u];
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

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let col0 = (wid.x + wid.y * nwg.x) * NR;
    if (col0 >= p.n) {
        return; // the whole workgroup leaves together, before any barrier (uniform)
    }
    var acc: array<array<f32, MAXNR>, MAXM>; // zero-initialised
    var wr: array<u32, MAXNR>;
    for (var r = 0u; r < NR; r++) {
        wr[r] = min(col0 + r, p.n - 1u) * p.k;
    }
    if ((p.k & 3u) == 0u) {
        let k4 = p.k >> 2u;
        for (var r = 0u; r < NR; r++) {
            wr[r] >>= 2u;
        }
        var b: array<vec4<f32>, MAXNR>;
        for (var kk = lid; kk < k4; kk += WG) {
            for (var r = 0u; r < NR; r++) {
                b[r] = loadw4(wr[r] + kk);
            }
            for (var i = 0u; i < MAXM; i++) {
                if (i < p.m) {
                    let a = loadx4(i * k4 + kk);
                    for (var r = 0u; r < NR; r++) {
                        acc[i][r] += dot(a, b[r]);
                    }
                }
            }
        }
    } else {
        var b: array<f32, MAXNR>;
        for (var kk = lid; kk < p.k; kk += WG) {
            for (var r = 0u; r < NR; r++) {
                b[r] = loadw(wr[r] + kk);
            }
            for (var i = 0u; i < MAXM; i++) {
                if (i < p.m) {
                    let a = x[i * p.k + kk];
                    for (var r = 0u; r < NR; r++) {
                        acc[i][r] = fma(a, b[r], acc[i][r]);
                    }
                }
            }
        }
    }
    let outputs = p.m * NR;
    for (var i = 0u; i < MAXM; i++) {
        if (i < p.m) {
            for (var r = 0u; r < NR; r++) {
                partial[(i * NR + r) * WG + lid] = acc[i][r];
            }
        }
    }
    workgroupBarrier();
    for (var half_ = WG >> 1u; half_ > 0u; half_ >>= 1u) {
        if (lid < half_) {
            for (var t = 0u; t < outputs; t++) {
                partial[t * WG + lid] += partial[t * WG + lid + half_];
            }
        }
        workgroupBarrier();
    }
    for (var t = lid; t < outputs; t += WG) {
        let i = t / NR;
        let col = col0 + t % NR;
        if (col < p.n) {
            store_y(i, col, partial[t * WG]);
        }
    }
}
