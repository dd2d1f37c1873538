// grid_avgpool_f32 — WGSL twin of shaders/glsl/grid_avgpool_f32.comp: f x f average pooling of a token grid,
// as torch.nn.functional.avg_pool2d(kernel_size=f, stride=f) (no padding; a remainder is dropped):
// x [in_h*in_w, cols] (row-major grid of feature rows) -> y [(in_h/f)*(in_w/f), cols], each output the mean
// of its f*f block.
// Bindings: 0 x (read), 1 y (written; must not alias x), 2 params (uniform gpu_params_pool).
// Overrides: @id(0) workgroup size (default 64). One invocation per output element, 2-D grid.
struct Params { in_h: u32, in_w: u32, cols: u32, f: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid3: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let gid = gid3.x + gid3.y * nwg.x * wg;
    let out_h = p.in_h / p.f;
    let out_w = p.in_w / p.f;
    if (gid >= out_h * out_w * p.cols) {
        return;
    }
    let cell = gid / p.cols;
    let c = gid - cell * p.cols;
    let oy = cell / out_w;
    let ox = cell - oy * out_w;
    var s = 0.0;
    for (var dy = 0u; dy < p.f; dy++) {
        for (var dx = 0u; dx < p.f; dx++) {
            s += x[((oy * p.f + dy) * p.in_w + ox * p.f + dx) * p.cols + c];
        }
    }
    y[gid] = s / f32(p.f * p.f);
}
