// norm_layer — y[r,:] = (x[r,:] - mean) * inversesqrt(var + eps) * w + b, all f32, as torch.nn.LayerNorm
// (biased variance). Two passes over the row (mean, then the centred sum of squares) so large means do not
// cancel the variance away.
// Bindings: 0 x [rows,cols] (read), 1 w [cols] (read), 2 b [cols] (read), 3 y [rows,cols] (written).
// Push constants: gpu_params_norm. Specialization constants: 0 workgroup size (power of two, default 256).
// One workgroup per row (rows beyond the x axis limit continue on y); each invocation strides over the row.
layout(local_size_x_id = 0) in;
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float w[]; };
layout(std430, binding = 2) readonly buffer B { float b[]; };
layout(std430, binding = 3) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint rows; uint cols; float eps; } p;

#include "eltwise_row_reduce.glsl"

void main() {
    uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (row >= p.rows) return; // uniform per workgroup, so the barriers below stay in uniform control flow
    uint base = row * p.cols;
    float s = 0.0;
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += gl_WorkGroupSize.x) s += x[base + c];
    float mean = row_sum(s) / float(p.cols);
    float ss = 0.0;
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += gl_WorkGroupSize.x) {
        float d = x[base + c] - mean;
        ss += d * d;
    }
    float inv = inversesqrt(row_sum(ss) / float(p.cols) + p.eps);
    for (uint c = gl_LocalInvocationID.x; c < p.cols; c += gl_WorkGroupSize.x)
        y[base + c] = (x[base + c] - mean) * inv * w[c] + b[c];
}
