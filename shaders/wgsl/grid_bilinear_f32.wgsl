// grid_bilinear_f32 — WGSL twin of shaders/glsl/grid_bilinear_f32.comp: bilinear resampling of a token grid,
// as torch.nn.functional.interpolate(mode='bilinear', align_corners=False, antialias=False) with an output
// size: x [in_h*in_w, cols] (row-major grid of feature rows) -> y [out_h*out_w, cols]. Per axis,
// source = max((o + 0.5) * in/out - 0.5, 0) with the scale in/out as a float, i0 = floor(source),
// i1 = min(i0 + 1, in - 1), weight source - i0 on i1.
// Bindings: 0 x (read), 1 y (written; must not alias x), 2 params (uniform gpu_params_grid).
// Overrides: @id(0) workgroup size (default 64). One invocation per output element, 2-D grid.
// Rewrite: GLSL's `precise` (no fused multiply-add: torch rounds the product, then subtracts) has no WGSL
// spelling, so the product is multiplied by a 1.0 the compiler cannot see (from the uniform): a fused
// (product * one) - 0.5 rounds exactly like the unfused expression, and the product itself cannot fuse.
struct Params { in_h: u32, in_w: u32, out_h: u32, out_w: u32, cols: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@id(0) override wg: u32 = 64u;

struct Source { i0: u32, i1: u32, l: f32 }

// torch's area_pixel_compute_source_index for align_corners = False, in f32 as torch's float kernels do.
fn source(o: u32, n_in: u32, n_out: u32, one: f32) -> Source {
    let scale = f32(n_in) / f32(n_out);
    let s = max(((f32(o) + 0.5) * scale) * one - 0.5, 0.0);
    var r: Source;
    r.i0 = min(u32(s), n_in - 1u);
    r.i1 = min(r.i0 + 1u, n_in - 1u);
    r.l = s - f32(r.i0);
    return r;
}

@compute @workgroup_size(wg)
fn main(@builtin(global_invocation_id) gid3: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let gid = gid3.x + gid3.y * nwg.x * wg;
    if (gid >= p.out_h * p.out_w * p.cols) {
        return;
    }
    let one = f32(min(p.cols, 1u)); // 1.0 here (cols >= 1), opaque to the compiler
    let cell = gid / p.cols;
    let c = gid - cell * p.cols;
    let oy = cell / p.out_w;
    let ox = cell - oy * p.out_w;
    let sy = source(oy, p.in_h, p.out_h, one);
    let sx = source(ox, p.in_w, p.out_w, one);
    let ly = sy.l;
    let lx = sx.l;
    let v00 = x[(sy.i0 * p.in_w + sx.i0) * p.cols + c];
    let v01 = x[(sy.i0 * p.in_w + sx.i1) * p.cols + c];
    let v10 = x[(sy.i1 * p.in_w + sx.i0) * p.cols + c];
    let v11 = x[(sy.i1 * p.in_w + sx.i1) * p.cols + c];
    y[gid] = (1.0 - ly) * ((1.0 - lx) * v00 + lx * v01) + ly * ((1.0 - lx) * v10 + lx * v11);
}
