#version 450
// grid_avgpool_f32 — f x f average pooling of a token grid, as torch.nn.functional.avg_pool2d(kernel_size=f,
// stride=f) (no padding; a remainder of rows or columns is dropped): x [in_h*in_w, cols] (row-major grid of
// feature rows) -> y [(in_h/f)*(in_w/f), cols], each output the mean of its f*f block.
// Bindings: 0 x (read), 1 y (written; must not alias x). Push constants: gpu_params_pool.
// Specialization constants: 0 workgroup size (default 64). One invocation per output element.
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint in_h; uint in_w; uint cols; uint f; } p;

void main() {
    uint gid = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    uint out_h = p.in_h / p.f, out_w = p.in_w / p.f;
    if (gid >= out_h * out_w * p.cols) return;
    uint cell = gid / p.cols, c = gid - cell * p.cols;
    uint oy = cell / out_w, ox = cell - oy * out_w;
    float s = 0.0;
    for (uint dy = 0u; dy < p.f; dy++)
        for (uint dx = 0u; dx < p.f; dx++) s += x[((oy * p.f + dy) * p.in_w + ox * p.f + dx) * p.cols + c];
    y[gid] = s / float(p.f * p.f);
}
