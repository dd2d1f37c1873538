#version 450
// act_unary_f32 — out[i] = f(x[i]), f32, f chosen by op:
//   0 scale       x * s
//   1 gelu        x/2 * (1 + erf(x/sqrt 2)), written as x/2 * erfc(-x/sqrt 2) so the negative tail keeps its
//                 relative accuracy (1 + erf would cancel)
//   2 gelu_tanh   x/2 * (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), written as x / (1 + exp(-2u)):
//                 the same function without tanh, whose overflow behaviour varies between drivers
//   3 quick_gelu  x * sigmoid(1.702 x)
//   4 silu        x * sigmoid(x)
// sigmoid(v) is 1 / (1 + exp(-v)): exp overflowing to +inf gives the correct limit 0 (x / inf).
// Bindings: 0 x (read), 1 out (written; may be x itself: each invocation reads x[i] once, then writes o[i]). Push constants: gpu_params_act.
// Specialization constants: 0 workgroup size (default 64).
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Params { uint n; uint op; float s; } p;

// erfc(z) for z >= 0: the Chebyshev fit t * exp(-z^2 + P(t)), t = 1 / (1 + z/2), from Numerical Recipes
// (erfcc); fractional error below 1.2e-7 for every z >= 0, so no branch between a near-0 and a tail form.
float erfc_pos(float z) {
    float t = 1.0 / (1.0 + 0.5 * z);
    float q = 0.17087277;
    q = -0.82215223 + t * q;
    q = 1.48851587 + t * q;
    q = -1.13520398 + t * q;
    q = 0.27886807 + t * q;
    q = -0.18628806 + t * q;
    q = 0.09678418 + t * q;
    q = 0.37409196 + t * q;
    q = 1.00002368 + t * q;
    q = -1.26551223 + t * q;
    return t * exp(-z * z + q);
}

float act(float v) {
    if (p.op == 0u) return v * p.s;
    if (p.op == 1u) {
        float z = abs(v) * 0.70710678118654752;
        float e = erfc_pos(z); // erfc(|v|/sqrt 2)
        return 0.5 * v * (v >= 0.0 ? 2.0 - e : e);
    }
    if (p.op == 2u) {
        float u = 0.79788456080286536 * (v + 0.044715 * v * v * v);
        return v / (1.0 + exp(-2.0 * u));
    }
    if (p.op == 3u) return v / (1.0 + exp(-1.702 * v));
    return v / (1.0 + exp(-v));
}

void main() {
    uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i < p.n) o[i] = act(x[i]);
}
