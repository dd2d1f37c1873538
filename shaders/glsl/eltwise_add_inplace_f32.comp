#version 450
// eltwise_add_inplace_f32 — y[i] += x[i % x_n], f32: the residual add (x_n = n) or an in-place bias / row
// broadcast (x_n = row length).
// Bindings: 0 x (read), 1 y (read and written). Push constants: gpu_params_eltwise_inplace.
// Specialization constants: 0 workgroup size (default 64).
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) buffer Y { float y[]; };
layout(push_constant) uniform Params { uint n; uint x_n; } p;

void main() {
    uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= p.n) return;
    y[i] += x[p.x_n == p.n ? i : i % p.x_n];
}
