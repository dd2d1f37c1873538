// norm_l2 — y[r,:] = x[r,:] / max(||x[r,:]||_2, eps), f32, as torch.nn.functional.normalize(p=2): the rows of a
// cosine-similarity GEMM.
// Bindings: 0 x [rows,cols] (read), 1 y [rows,cols] (written). Push constants: gpu_params_norm.
// Specialization constants: 0 workgroup size (power of two, default 256).
// One workgroup per row (rows beyond the x axis limit continue on y); each invocation strides over the row.
layout(local_size_x_id = 0) in;
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint rows; uint cols; float eps; } p;

#include "eltwise_row_reduce.glsl"

void main() {
    uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (row >= p.rows) return; // uniform per workgroup, so the barriers below stay in uniform control flow
    uint base = row * p.cols;
    float ss = 0.0;
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += gl_WorkGroupSize.x) ss += x[base + c] * x[base + c];
    float inv = 1.0 / max(sqrt(row_sum(ss)), p.eps);
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += gl_WorkGroupSize.x) y[base + c] = x[base + c] * inv;
}
