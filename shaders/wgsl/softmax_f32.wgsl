// softmax_f32 — WGSL twin of shaders/glsl/softmax_f32.comp (softmax_rows.glsl): y[r,:] = exp(x[r,:] - max) /
// sum(exp(x[r,:] - max)); a row of only -inf gives NaN, as torch.softmax does.
// Bindings: 0 x [rows,cols], 1 y [rows,cols] (written), 2 params (uniform gpu_params_rows).
// Overrides: @id(0) workgroup size (power of two, default 256). One workgroup per row, three passes.
struct Params { rows: u32, cols: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@id(0) override wg: u32 = 256u;

// The shared-memory tree of shaders/glsl/eltwise_row_reduce.glsl (wg must be a power of two). Every
// invocation calls these (they contain barriers) and all get the result.
var<workgroup> row_red: array<f32, wg>;

fn row_sum(v: f32, i: u32) -> f32 {
    workgroupBarrier(); // row_red may still be read by the previous reduction
    row_red[i] = v;
    workgroupBarrier();
    for (var s = wg / 2u; s > 0u; s >>= 1u) {
        if (i < s) {
            row_red[i] += row_red[i + s];
        }
        workgroupBarrier();
    }
    return row_red[0];
}

fn row_max(v: f32, i: u32) -> f32 {
    workgroupBarrier();
    row_red[i] = v;
    workgroupBarrier();
    for (var s = wg / 2u; s > 0u; s >>= 1u) {
        if (i < s) {
            row_red[i] = max(row_red[i], row_red[i + s]);
        }
        workgroupBarrier();
    }
    return row_red[0];
}

@compute @workgroup_size(wg)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
    let row = wid.x + wid.y * nwg.x;
    if (row >= p.rows) {
        return;
    }
    let base = row * p.cols;
    // The lowest finite float, not -inf: WGSL constants cannot be infinite. A row of only -inf still gives
    // NaN (exp(-inf) sums to 0, then 0 * inf).
    var m = -0x1.fffffep+127f;
    for (var c = li; c < p.cols; c += wg) {
        m = max(m, x[base + c]);
    }
    m = row_max(m, li);
    var s = 0.0;
    for (var c = li; c < p.cols; c += wg) {
        s += exp(x[base + c] - m);
    }
    let inv = 1.0 / row_sum(s, li);
    for (var c = li; c < p.cols; c += wg) {
        y[base + c] = exp(x[base + c] - m) * inv;
    }
}
