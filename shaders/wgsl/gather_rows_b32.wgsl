// gather_rows_b32 — WGSL twin of shaders/glsl/gather_rows_b32.comp: out[i, :] = src[idx[i], :] for i < count,
// zeros when idx[i] is outside [0, src_rows) (never read out of bounds). 4-byte elements moved as bits.
// Bindings: 0 src [src_rows, cols], 1 idx (i32 [count]), 2 out [count, cols] (written; must not alias src),
// 3 params (uniform gpu_params_gather). Overrides: @id(0) workgroup size (default 64).
struct Params { count: u32, cols: u32, src_rows: u32 }

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> o: array<u32>;
@group(0) @binding(3) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * wg;
    if (i >= p.count * p.cols) {
        return;
    }
    let r = i / p.cols;
    let c = i - r * p.cols;
    let s = idx[r];
    var v = 0u;
    if (s >= 0 && u32(s) < p.src_rows) {
        v = src[u32(s) * p.cols + c];
    }
    o[i] = v;
}
