#version 450
// gather_rows_b32 — out[i, :] = src[idx[i], :] for i < count, or zeros when idx[i] is outside [0, src_rows)
// (never read out of bounds). Elements are any 4-byte type, moved as bits: f32 rows, int32 positions.
// Serves embedding lookup (src = table [vocab, cols], idx = token ids), row gather and, with the kept list of
// scan_mask_u32 (-1 past the kept count), compaction by a mask.
// Bindings: 0 src [src_rows, cols] (read), 1 idx (int32 [count], read), 2 out [count, cols] (written; must not
// alias src). Push constants: gpu_params_gather. Specialization constants: 0 workgroup size (default 64).
// One invocation per output element.
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, binding = 1) readonly buffer Idx { int idx[]; };
layout(std430, binding = 2) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform Params { uint count; uint cols; uint src_rows; } p;

void main() {
    uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= p.count * p.cols) return;
    uint r = i / p.cols, c = i - r * p.cols;
    int s = idx[r];
    o[i] = s >= 0 && uint(s) < p.src_rows ? src[uint(s) * p.cols + c] : 0u;
}
