#version 450
// grid_bilinear_f32 — bilinear resampling of a token grid, as torch.nn.functional.interpolate(mode='bilinear',
// align_corners=False, antialias=False) with an output size: x [in_h*in_w, cols] (row-major grid of feature
// rows) -> y [out_h*out_w, cols]. Per axis, source = max((o + 0.5) * in/out - 0.5, 0) with the scale in/out as
// a float, i0 = floor(source), i1 = min(i0 + 1, in - 1), weight source - i0 on i1. For an integer
// downsample factor f this is ProxyV's rule: f=2 the 2x2 mean, f=3 the centre token, f=4 the centre 2x2 mean.
// Bindings: 0 x (read), 1 y (written; must not alias x). Push constants: gpu_params_grid.
// Specialization constants: 0 workgroup size (default 64). One invocation per output element.
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint in_h; uint in_w; uint out_h; uint out_w; uint cols; } p;

// torch's area_pixel_compute_source_index for align_corners = False, in f32 as torch's float kernels compute it.
void source(uint o, uint n_in, uint n_out, out uint i0, out uint i1, out float l) {
    float scale = float(n_in) / float(n_out);
    precise float s = max((float(o) + 0.5) * scale - 0.5, 0.0); // no fma: torch rounds twice
    i0 = min(uint(s), n_in - 1u);
    i1 = min(i0 + 1u, n_in - 1u);
    l = s - float(i0);
}

void main() {
    uint gid = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (gid >= p.out_h * p.out_w * p.cols) return;
    uint cell = gid / p.cols, c = gid - cell * p.cols;
    uint oy = cell / p.out_w, ox = cell - oy * p.out_w;
    uint y0, y1, x0, x1;
    float ly, lx;
    source(oy, p.in_h, p.out_h, y0, y1, ly);
    source(ox, p.in_w, p.out_w, x0, x1, lx);
    float v00 = x[(y0 * p.in_w + x0) * p.cols + c], v01 = x[(y0 * p.in_w + x1) * p.cols + c];
    float v10 = x[(y1 * p.in_w + x0) * p.cols + c], v11 = x[(y1 * p.in_w + x1) * p.cols + c];
    y[gid] = (1.0 - ly) * ((1.0 - lx) * v00 + lx * v01) + ly * ((1.0 - lx) * v10 + lx * v11);
}
