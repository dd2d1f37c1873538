// matmul_linear.glsl — what every linear-layer kernel shares: y[m, y_col + n] (+)= sum_k x[m,k] * w[n,k]
// (+ bias[y_col + n]), x and y f32, w as matmul_weights.glsl defines it. accumulate = 1 adds into y (a
// residual add fused into the layer: each element is read and written by the one invocation that owns it).
// Bindings: 0 x [M,K] (read), 1 w [N,K] (read), 2 bias (read; indexed from y_col; ignored when has_bias = 0),
//           3 y [M, y_stride] (written, columns y_col .. y_col+N-1 only; read too when accumulate = 1).
// Push constants: gpu_params_linear. N is the rows of this weight binding: a weight split by rows into
// several bindings is one dispatch per chunk, each writing its own column range of y.
#include "matmul_weights.glsl"

layout(std430, binding = 0) readonly buffer X1 { float x1[]; };
layout(std430, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 2) readonly buffer Bias { float bias[]; };
layout(std430, binding = 3) buffer Y { float y[]; };
layout(push_constant) uniform Params {
    uint m;
    uint n;
    uint k;
    uint has_bias;
    uint y_stride;
    uint y_col;
    uint accumulate;
} p;

void store_y(uint row, uint col, float acc) {
    if (p.has_bias != 0u) acc += bias[p.y_col + col];
    uint i = row * p.y_stride + p.y_col + col;
    if (p.accumulate != 0u) acc += y[i];
    y[i] = acc;
}
