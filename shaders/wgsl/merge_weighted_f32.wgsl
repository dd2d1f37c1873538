// merge_weighted_f32 — WGSL twin of shaders/glsl/merge_weighted_f32.comp: weighted merge of source rows into
// target rows, in place (FiCoCo's compress step): for each distinct target t among the pairs
// (src[q], dst[q], alpha[q]),
//   x[t,:] = (x[t,:] + sum_{q: dst[q] = t} alpha[q] * x[src[q],:]) / (1 + sum_{q: dst[q] = t} alpha[q]).
// Invocation (q, c) owns target dst[q] only when q is its first valid pair, and then loops over all pairs in
// list order, so the sums are deterministic without atomics. No row may be both a source and a target; pairs
// with an index outside [0, rows) are ignored.
// Bindings: 0 x [rows,cols] (read and written), 1 src (i32 [pairs]), 2 dst (i32 [pairs]), 3 alpha (f32
// [pairs]), 4 params (uniform gpu_params_merge). Overrides: @id(0) workgroup size (default 64). One
// invocation per (pair, column), 2-D grid.
struct Params { pairs: u32, cols: u32, rows: u32 }

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> src: array<i32>;
@group(0) @binding(2) var<storage, read> dst: array<i32>;
@group(0) @binding(3) var<storage, read> alpha: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;

fn valid(q: u32) -> bool {
    return src[q] >= 0 && u32(src[q]) < p.rows && dst[q] >= 0 && u32(dst[q]) < p.rows;
}

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid3: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let gid = gid3.x + gid3.y * nwg.x * wg;
    if (gid >= p.pairs * p.cols) {
        return;
    }
    let q = gid / p.cols;
    let c = gid - q * p.cols;
    if (!valid(q)) {
        return;
    }
    let t = dst[q];
    for (var e = 0u; e < q; e++) {
        if (dst[e] == t && valid(e)) {
            return; // an earlier pair owns this target
        }
    }
    let ti = u32(t) * p.cols + c;
    var acc = x[ti];
    var w = 1.0;
    for (var e = q; e < p.pairs; e++) {
        if (dst[e] != t || !valid(e)) {
            continue;
        }
        acc += alpha[e] * x[u32(src[e]) * p.cols + c];
        w += alpha[e];
    }
    x[ti] = acc / w;
}
