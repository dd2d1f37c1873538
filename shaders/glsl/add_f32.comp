#version 450
// add_f32 — out[i] = a[i] + b[i].
// Bindings: 0 a (f32, read), 1 b (f32, read), 2 out (f32, written). Push constants: gpu_params_binary.
// Specialization constants: 0 workgroup size (default 64).
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Params { uint n; } p;

void main() {
    // 2-D grid: x * y workgroups cover n when n exceeds one axis's workgroup count limit.
    uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i < p.n) o[i] = a[i] + b[i];
}
