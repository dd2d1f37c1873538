// eltwise_row_reduce.glsl — workgroup-wide sum and max of one float per invocation, for the one-row-per-workgroup
// kernels (norm_*, softmax_*). Two implementations, chosen by the including file:
//   ROW_REDUCE_SUBGROUP defined: subgroupAdd/subgroupMax, then the first subgroup folds the per-subgroup
//     partials (any count: it strides over them, so subgroup 4 with 256 invocations works).
//   otherwise: a shared-memory tree, for devices without subgroup arithmetic.
// The workgroup size (spec constant 0) must be a power of two for the tree; the op wrappers pick one.
// Every invocation of the workgroup must call these (they contain barriers) and all get the result.
#ifdef ROW_REDUCE_SUBGROUP
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

shared float row_red[gl_WorkGroupSize.x];

#ifdef ROW_REDUCE_SUBGROUP
float row_sum(float v) {
    float s = subgroupAdd(v);
    barrier(); // row_red may still be read by the previous reduction's broadcast
    if (subgroupElect()) row_red[gl_SubgroupID] = s;
    barrier();
    if (gl_SubgroupID == 0u) {
        float t = 0.0;
        for (uint j = gl_SubgroupInvocationID; j < gl_NumSubgroups; j += gl_SubgroupSize) t += row_red[j];
        t = subgroupAdd(t);
        if (subgroupElect()) row_red[0] = t;
    }
    barrier();
    return row_red[0];
}
float row_max(float v) {
    float s = subgroupMax(v);
    barrier();
    if (subgroupElect()) row_red[gl_SubgroupID] = s;
    barrier();
    if (gl_SubgroupID == 0u) {
        float t = -1.0 / 0.0;
        for (uint j = gl_SubgroupInvocationID; j < gl_NumSubgroups; j += gl_SubgroupSize) t = max(t, row_red[j]);
        t = subgroupMax(t);
        if (subgroupElect()) row_red[0] = t;
    }
    barrier();
    return row_red[0];
}
#else
float row_sum(float v) {
    uint i = gl_LocalInvocationID.x;
    barrier();
    row_red[i] = v;
    barrier();
    for (uint s = gl_WorkGroupSize.x / 2u; s > 0u; s >>= 1) {
        if (i < s) row_red[i] += row_red[i + s];
        barrier();
    }
    return row_red[0];
}
float row_max(float v) {
    uint i = gl_LocalInvocationID.x;
    barrier();
    row_red[i] = v;
    barrier();
    for (uint s = gl_WorkGroupSize.x / 2u; s > 0u; s >>= 1) {
        if (i < s) row_red[i] = max(row_red[i], row_red[i + s]);
        barrier();
    }
    return row_red[0];
}
#endif
