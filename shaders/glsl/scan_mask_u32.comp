#version 450
// scan_mask_u32 — per row of a keep-mask m [rows, n] (u32, nonzero = keep):
//   offsets[r, i] = number of kept j < i (exclusive prefix sum), offsets[r, n] = the kept total;
//   kept[r, j] = the j-th kept index (ascending) for j < total, -1 for total <= j < n.
// kept feeds gather_rows_b32 for compaction (the -1 tail gathers zero rows) and is top-k's ascending index list.
// Bindings: 0 mask (u32 [rows, n], read), 1 offsets (u32 [rows, n+1], written), 2 kept (int32 [rows, n],
// written). Push constants: gpu_params_rows (cols = n). Specialization constants: 0 workgroup size (power of
// two, default 256). One workgroup per row: each invocation sums a contiguous segment, a shared-memory
// Hillis-Steele scan turns the segment sums into carries, then each segment is written in order. Plain shared
// memory and integer sums: deterministic on every device.
layout(local_size_x_id = 0) in;
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Mask { uint mask[]; };
layout(std430, binding = 1) writeonly buffer Offsets { uint offsets[]; };
layout(std430, binding = 2) writeonly buffer Kept { int kept[]; };
layout(push_constant) uniform Params { uint rows; uint n; } p;

shared uint part[gl_WorkGroupSize.x];

void main() {
    uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (row >= p.rows) return; // uniform per workgroup
    uint lane = gl_LocalInvocationID.x, wg = gl_WorkGroupSize.x;
    uint per = (p.n + wg - 1u) / wg;
    uint begin = min(lane * per, p.n), end = min(begin + per, p.n);
    uint mbase = row * p.n;
    uint local_sum = 0u;
    for (uint i = begin; i < end; i++) local_sum += mask[mbase + i] != 0u ? 1u : 0u;
    part[lane] = local_sum;
    barrier();
    for (uint s = 1u; s < wg; s <<= 1) { // inclusive scan of the segment sums
        uint v = lane >= s ? part[lane - s] : 0u;
        barrier();
        part[lane] += v;
        barrier();
    }
    uint total = part[wg - 1u];
    uint carry = part[lane] - local_sum;
    uint obase = row * (p.n + 1u);
    for (uint i = begin; i < end; i++) {
        offsets[obase + i] = carry;
        if (mask[mbase + i] != 0u) kept[mbase + carry++] = int(i);
    }
    for (uint j = total + lane; j < p.n; j += wg) kept[mbase + j] = -1;
    if (lane == 0u) offsets[obase + p.n] = total;
}
