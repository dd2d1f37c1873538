#version 450
// scatter_rows_b32 — dst[idx[i], :] = src[i, :] for i < count; idx[i] outside [0, dst_rows) is skipped, rows
// of dst no index names keep their contents. Indices must be distinct (which duplicate wins is undefined).
// Elements are any 4-byte type, moved as bits.
// Bindings: 0 src [count, cols] (read), 1 idx (int32 [count], read), 2 dst [dst_rows, cols] (written; must not
// alias src). Push constants: gpu_params_gather (src_rows holds dst's row count).
// Specialization constants: 0 workgroup size (default 64). One invocation per source element.
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, binding = 1) readonly buffer Idx { int idx[]; };
layout(std430, binding = 2) writeonly buffer Dst { uint dst[]; };
layout(push_constant) uniform Params { uint count; uint cols; uint dst_rows; } p;

void main() {
    uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= p.count * p.cols) return;
    uint r = i / p.cols, c = i - r * p.cols;
    int d = idx[r];
    if (d >= 0 && uint(d) < p.dst_rows) dst[uint(d) * p.cols + c] = src[i];
}
