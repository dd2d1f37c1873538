#version 450
// act_swiglu_f32 — out[r,c] = silu(gate[r*stride + c]) * up[r*stride + up_offset + c], f32, out [rows,cols].
// Two separate inputs: stride = cols, up_offset = 0. One concatenated [rows, 2*cols] input (gate half first,
// as a fused gate_up projection writes it): bind the same buffer to both, stride = 2*cols, up_offset = cols.
// Bindings: 0 gate (read), 1 up (read), 2 out (written; must not alias the inputs). Push constants:
// gpu_params_swiglu. Specialization constants: 0 workgroup size (default 64).
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer G { float g[]; };
layout(std430, binding = 1) readonly buffer U { float u[]; };
layout(std430, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Params { uint rows; uint cols; uint stride; uint up_offset; } p;

void main() {
    uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= p.rows * p.cols) return;
    uint r = i / p.cols, c = i - r * p.cols;
    float gv = g[r * p.stride + c];
    o[i] = gv / (1.0 + exp(-gv)) * u[r * p.stride + p.up_offset + c];
}
