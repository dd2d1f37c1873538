// act_swiglu_f32 — WGSL twin of shaders/glsl/act_swiglu_f32.comp: out[r,c] = silu(gate[r*stride + c]) *
// up[r*stride + up_offset + c]; separate inputs (stride = cols, up_offset = 0) or one concatenated
// [rows, 2*cols] input bound twice (stride = 2*cols, up_offset = cols).
// Bindings: 0 gate, 1 up, 2 out (written; must not alias the inputs), 3 params (uniform gpu_params_swiglu).
// Overrides: @id(0) workgroup size (default 64).
struct Params { rows: u32, cols: u32, stride: u32, up_offset: u32 }

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read_write> o: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * wg;
    if (i >= p.rows * p.cols) {
        return;
    }
    let r = i / p.cols;
    let c = i - r * p.cols;
    let gv = g[r * p.stride + c];
    o[i] = gv / (1.0 + exp(-gv)) * u[r * p.stride + p.up_offset + c];
}
