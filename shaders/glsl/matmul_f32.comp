#version 450
// matmul_f32 — y[m,n] = sum_k x[m,k] * w[n,k] (+ bias[n]); x, w, bias, y all f32, row-major.
// Bindings: 0 x [M,K] (read), 1 w [N,K] (read), 2 bias [N] (read, ignored when has_bias = 0),
//           3 y [M,N] (written). Push constants: gpu_params_matmul.
// Specialization constants: 0 workgroup x (columns n, default 8), 1 workgroup y (rows m, default 8).
// One invocation per output element: the portable baseline the tiled variants are checked against.
layout(local_size_x_id = 0, local_size_y_id = 1) in;
layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float w[]; };
layout(std430, binding = 2) readonly buffer Bias { float bias[]; };
layout(std430, binding = 3) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint m; uint n; uint k; uint has_bias; } p;

void main() {
    uint col = gl_GlobalInvocationID.x, row = gl_GlobalInvocationID.y;
    if (row >= p.m || col >= p.n) return;
    float acc = p.has_bias != 0u ? bias[col] : 0.0;
    uint xo = row * p.k, wo = col * p.k;
    for (uint i = 0u; i < p.k; i++) acc += x[xo + i] * w[wo + i];
    y[row * p.n + col] = acc;
}
