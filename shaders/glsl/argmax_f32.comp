#version 450
// argmax_f32 — out[0] = the index of the largest x[i] (lowest index among equal values; NaN never wins).
// Bindings: 0 x [n] f32 (read), 1 out [1] u32 (written). Push constants: gpu_params_argmax.
// Specialization constants: 0 workgroup size (a power of two, default 256). One workgroup: each invocation
// scans a strided slice, then a workgroup-memory tree keeps (value, index) pairs. Portable on purpose: no
// subgroup operations, and a vocabulary of 150k is ~600 elements per invocation.
layout(local_size_x_id = 0) in;
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform Params { uint n; } p;

shared float best_value[gl_WorkGroupSize.x];
shared uint best_index[gl_WorkGroupSize.x];

// a beats b: larger value, or equal value and lower index. Comparisons with NaN are false, so NaN loses.
bool beats(float va, uint ia, float vb, uint ib) { return va > vb || (va == vb && ia < ib); }

void main() {
    uint lane = gl_LocalInvocationID.x;
    float v = -1.0 / 0.0;
    uint idx = 0xFFFFFFFFu;
    for (uint i = lane; i < p.n; i += gl_WorkGroupSize.x) {
        float xi = x[i];
        if (idx == 0xFFFFFFFFu ? !isnan(xi) : beats(xi, i, v, idx)) {
            v = xi;
            idx = i;
        }
    }
    best_value[lane] = v;
    best_index[lane] = idx;
    barrier();
    for (uint step = gl_WorkGroupSize.x / 2u; step > 0u; step /= 2u) {
        if (lane < step) {
            float ov = best_value[lane + step];
            uint oi = best_index[lane + step];
            if (oi != 0xFFFFFFFFu && (best_index[lane] == 0xFFFFFFFFu || beats(ov, oi, best_value[lane], best_index[lane]))) {
                best_value[lane] = ov;
                best_index[lane] = oi;
            }
        }
        barrier();
    }
    if (lane == 0u) o[0] = best_index[0] == 0xFFFFFFFFu ? 0u : best_index[0];
}
