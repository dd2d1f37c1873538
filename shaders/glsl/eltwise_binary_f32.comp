#version 450
// eltwise_binary_f32 — out[i] = a[i] (op) b[i % b_n], f32: op 0 add, 1 mul. b_n = n is the plain element-wise
// op; b_n = row length broadcasts one row vector over every row (bias, position embeddings).
// Bindings: 0 a (read), 1 b (read), 2 out (written; must not alias a or b). Push constants:
// gpu_params_eltwise_binary. Specialization constants: 0 workgroup size (default 64).
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Params { uint n; uint b_n; uint op; } p;

void main() {
    // 2-D grid: x * y workgroups cover n when n exceeds one axis's workgroup count limit.
    uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= p.n) return;
    float bv = b[p.b_n == p.n ? i : i % p.b_n];
    o[i] = p.op == 0u ? a[i] + bv : a[i] * bv;
}
