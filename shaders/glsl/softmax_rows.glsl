// softmax_rows — y[r,:] = exp(x[r,:] - max) / sum(exp(x[r,:] - max)), f32: the max subtraction keeps exp from
// overflowing. A row of only -inf gives NaN, as torch.softmax does.
// Bindings: 0 x [rows,cols] (read), 1 y [rows,cols] (written). Push constants: gpu_params_rows.
// Specialization constants: 0 workgroup size (power of two, default 256).
// One workgroup per row (rows beyond the x axis limit continue on y); three strided passes over the row.
layout(local_size_x_id = 0) in;
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint rows; uint cols; } p;

#include "eltwise_row_reduce.glsl"

void main() {
    uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (row >= p.rows) return; // uniform per workgroup, so the barriers below stay in uniform control flow
    uint base = row * p.cols;
    float m = -1.0 / 0.0;
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += gl_WorkGroupSize.x) m = max(m, x[base + c]);
    m = row_max(m);
    float s = 0.0;
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += gl_WorkGroupSize.x) s += exp(x[base + c] - m);
    float inv = 1.0 / row_sum(s);
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += gl_WorkGroupSize.x) y[base + c] = exp(x[base + c] - m) * inv;
}
