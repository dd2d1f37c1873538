#version 450
// topk_rank_f32 — keep-mask of the k largest (largest = 1) or smallest (largest = 0) values of each row of
// v [rows, n]: element i's rank is the number of j that beat it (greater, or smaller for bottom-k; on ties
// the lower index wins), and mask[r, i] = rank < k. Exactly min(k, n) elements are kept per row, the choice
// is deterministic, and scan_mask_u32 then lists their indices ascending. NaN inputs: undefined choice.
// Bindings: 0 v (f32 [rows, n], read), 1 mask (u32 [rows, n], written). Push constants: gpu_params_topk.
// Specialization constants: 0 workgroup size (default 64). One invocation per element, O(n) compares each:
// meant for n up to a few thousand.
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer V { float v[]; };
layout(std430, binding = 1) writeonly buffer Mask { uint mask[]; };
layout(push_constant) uniform Params { uint rows; uint n; uint k; uint largest; } p;

void main() {
    uint gid = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (gid >= p.rows * p.n) return;
    uint row = gid / p.n, i = gid - row * p.n, base = row * p.n;
    float vi = v[gid];
    uint rank = 0u;
    if (p.largest != 0u) {
        for (uint j = 0u; j < p.n && rank < p.k; j++) {
            float vj = v[base + j];
            rank += (vj > vi || (vj == vi && j < i)) ? 1u : 0u;
        }
    } else {
        for (uint j = 0u; j < p.n && rank < p.k; j++) {
            float vj = v[base + j];
            rank += (vj < vi || (vj == vi && j < i)) ? 1u : 0u;
        }
    }
    mask[gid] = rank < p.k ? 1u : 0u;
}
