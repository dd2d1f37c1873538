// norm_rms — y[r,:] = x[r,:] * inversesqrt(mean(x[r,:]^2) + eps) * w, all f32, as HF Llama's RMSNorm computes it
// in float32 (the weight multiplies after the normalisation).
// Bindings: 0 x [rows,cols] (read), 1 w [cols] (read), 2 y [rows,cols] (written). Push constants: gpu_params_norm.
// Specialization constants: 0 workgroup size (power of two, default 256).
// One workgroup per row (rows beyond the x axis limit continue on y); each invocation strides over the row.
layout(local_size_x_id = 0) in;
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float w[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint rows; uint cols; float eps; } p;

#include "eltwise_row_reduce.glsl"

void main() {
    uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (row >= p.rows) return; // uniform per workgroup, so the barriers below stay in uniform control flow
    uint base = row * p.cols;
    float ss = 0.0;
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += gl_WorkGroupSize.x) ss += x[base + c] * x[base + c];
    float inv = inversesqrt(row_sum(ss) / float(p.cols) + p.eps);
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += gl_WorkGroupSize.x) y[base + c] = x[base + c] * inv * w[c];
}
