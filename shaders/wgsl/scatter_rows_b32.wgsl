// scatter_rows_b32 — WGSL twin of shaders/glsl/scatter_rows_b32.comp: dst[idx[i], :] = src[i, :] for
// i < count; idx[i] outside [0, dst_rows) is skipped, unnamed rows of dst keep their contents. Indices
// must be distinct. 4-byte elements moved as bits.
// Bindings: 0 src [count, cols], 1 idx (i32 [count]), 2 dst [dst_rows, cols] (written; must not alias src),
// 3 params (uniform gpu_params_gather: src_rows holds dst's row count). Overrides: @id(0) workgroup size.
struct Params { count: u32, cols: u32, dst_rows: u32 }

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
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
    let d = idx[r];
    if (d >= 0 && u32(d) < p.dst_rows) {
        dst[u32(d) * p.cols + c] = src[i];
    }
}
