// matmul_vec.glsl — the decode body (M <= 8): one workgroup per NR consecutive output columns (weight
// rows). Its invocations stride along K (vec4 loads when K % 4 == 0, scalar otherwise), each keeping
// partial sums for every row of x, then the workgroup reduces them:
//   VEC_SUBGROUP  subgroupAdd within each subgroup, one partial per subgroup through shared memory;
//                 any subgroup size (gl_SubgroupSize / gl_NumSubgroups, partial subgroups included)
//   otherwise     a shared-memory tree; the workgroup size must be a power of two.
// The grid may be 2-D (x * y workgroups) when N / NR exceeds one axis's workgroup-count limit.
// Specialization constants: 0 workgroup size (default 64), 1 NR columns per workgroup (default 2).
layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;
layout(constant_id = 0) const uint WG = 64;
layout(constant_id = 1) const uint NR = 2;
const uint MAXM = 8u; // rows of x handled; the op layer sends larger M to the tiled kernel

#include "matmul_linear.glsl"

#ifdef VEC_SUBGROUP
shared float partial[WG * MAXM * NR]; // [subgroup][row][column]: at most WG subgroups
#else
shared float partial[MAXM * NR * WG]; // [row][column][invocation]
#endif

void main() {
    uint col0 = (gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x) * NR;
    if (col0 >= p.n) return; // the whole workgroup leaves together, before any barrier
    uint lid = gl_LocalInvocationID.x;
    float acc[MAXM][NR];
    uint wr[NR];
    for (uint r = 0u; r < NR; r++) wr[r] = min(col0 + r, p.n - 1u) * p.k;
    for (uint i = 0u; i < MAXM; i++)
        for (uint r = 0u; r < NR; r++) acc[i][r] = 0.0;
    if ((p.k & 3u) == 0u) {
        uint k4 = p.k >> 2;
        for (uint r = 0u; r < NR; r++) wr[r] >>= 2;
        for (uint kk = lid; kk < k4; kk += WG) {
            vec4 b[NR];
            for (uint r = 0u; r < NR; r++) b[r] = loadw4(wr[r] + kk);
            for (uint i = 0u; i < MAXM; i++) {
                if (i < p.m) {
                    vec4 a = x4[i * k4 + kk];
                    for (uint r = 0u; r < NR; r++) acc[i][r] += dot(a, b[r]);
                }
            }
        }
    } else {
        for (uint kk = lid; kk < p.k; kk += WG) {
            float b[NR];
            for (uint r = 0u; r < NR; r++) b[r] = loadw(wr[r] + kk);
            for (uint i = 0u; i < MAXM; i++) {
                if (i < p.m) {
                    float a = x1[i * p.k + kk];
                    for (uint r = 0u; r < NR; r++) acc[i][r] = fma(a, b[r], acc[i][r]);
                }
            }
        }
    }
    uint outputs = p.m * NR;
#ifdef VEC_SUBGROUP
    for (uint i = 0u; i < MAXM; i++) {
        if (i < p.m) {
            for (uint r = 0u; r < NR; r++) {
                float s = subgroupAdd(acc[i][r]);
                if (subgroupElect()) partial[(gl_SubgroupID * MAXM + i) * NR + r] = s;
            }
        }
    }
    barrier();
    for (uint t = lid; t < outputs; t += WG) {
        float s = 0.0;
        for (uint g = 0u; g < gl_NumSubgroups; g++) s += partial[g * MAXM * NR + t];
        uint i = t / NR, col = col0 + t % NR;
        if (col < p.n) store_y(i, col, s);
    }
#else
    for (uint i = 0u; i < MAXM; i++)
        if (i < p.m)
            for (uint r = 0u; r < NR; r++) partial[(i * NR + r) * WG + lid] = acc[i][r];
    barrier();
    for (uint half_ = WG >> 1; half_ > 0u; half_ >>= 1) {
        if (lid < half_)
            for (uint t = 0u; t < outputs; t++) partial[t * WG + lid] += partial[t * WG + lid + half_];
        barrier();
    }
    for (uint t = lid; t < outputs; t += WG) {
        uint i = t / NR, col = col0 + t % NR;
        if (col < p.n) store_y(i, col, partial[t * WG]);
    }
#endif
}
