#version 450
// merge_weighted_f32 — weighted merge of source rows into target rows, in place (FiCoCo's compress step):
// for each distinct target t among the pairs (src[p], dst[p], alpha[p]),
//   x[t,:] = (x[t,:] + sum_{p: dst[p] = t} alpha[p] * x[src[p],:]) / (1 + sum_{p: dst[p] = t} alpha[p]).
// The pair list is short (r*k <= ~100): invocation (p, c) owns target dst[p] only when p is its first pair, and
// then loops over all pairs in list order, so the sums are deterministic without atomics. No row may be both a
// source and a target; pairs with an index outside [0, rows) are ignored.
// Bindings: 0 x [rows,cols] (read and written), 1 src (int32 [pairs]), 2 dst (int32 [pairs]),
// 3 alpha (f32 [pairs]). Push constants: gpu_params_merge. Specialization constants: 0 workgroup size
// (default 64). One invocation per (pair, column).
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Src { int src[]; };
layout(std430, binding = 2) readonly buffer Dst { int dst[]; };
layout(std430, binding = 3) readonly buffer Alpha { float alpha[]; };
layout(push_constant) uniform Params { uint pairs; uint cols; uint rows; } p;

bool valid(uint q) { return src[q] >= 0 && uint(src[q]) < p.rows && dst[q] >= 0 && uint(dst[q]) < p.rows; }

void main() {
    uint gid = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (gid >= p.pairs * p.cols) return;
    uint q = gid / p.cols, c = gid - q * p.cols;
    if (!valid(q)) return;
    int t = dst[q];
    for (uint e = 0u; e < q; e++)
        if (dst[e] == t && valid(e)) return; // an earlier pair owns this target
    uint ti = uint(t) * p.cols + c;
    float acc = x[ti], w = 1.0;
    for (uint e = q; e < p.pairs; e++) {
        if (dst[e] != t || !valid(e)) continue;
        acc += alpha[e] * x[uint(src[e]) * p.cols + c];
        w += alpha[e];
    }
    x[ti] = acc / w;
}
