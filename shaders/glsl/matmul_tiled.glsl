// matmul_tiled.glsl — the prefill body: each invocation computes a TM x TN block of y in registers, reading
// x and w straight from memory (no shared memory: on CPU drivers barriers cost more than the reuse saves,
// and on GPUs the blocks of one workgroup hit the same cache lines). K % 4 == 0 takes vec4 loads along K;
// other K take the scalar loop. Out-of-range rows and columns of a block load a clamped (valid) row and are
// not stored, so the inner loops carry no bounds checks.
// Specialization constants: 0 workgroup x (column blocks, default 8), 1 workgroup y (row blocks, default 8),
// 2 TM rows per invocation (default 4), 3 TN columns per invocation (default 4).
layout(local_size_x_id = 0, local_size_y_id = 1) in;
layout(local_size_x = 8, local_size_y = 8) in;
layout(constant_id = 2) const uint TM = 4;
layout(constant_id = 3) const uint TN = 4;

#include "matmul_linear.glsl"

void main() {
    uint row0 = gl_GlobalInvocationID.y * TM, col0 = gl_GlobalInvocationID.x * TN;
    if (row0 >= p.m || col0 >= p.n) return;
    float acc[TM][TN];
    uint xr[TM], wr[TN];
    for (uint i = 0u; i < TM; i++) xr[i] = min(row0 + i, p.m - 1u) * p.k;
    for (uint j = 0u; j < TN; j++) wr[j] = min(col0 + j, p.n - 1u) * p.k;
    for (uint i = 0u; i < TM; i++)
        for (uint j = 0u; j < TN; j++) acc[i][j] = 0.0;
    if ((p.k & 3u) == 0u) {
        for (uint i = 0u; i < TM; i++) xr[i] >>= 2;
        for (uint j = 0u; j < TN; j++) wr[j] >>= 2;
        uint k4 = p.k >> 2;
        for (uint kk = 0u; kk < k4; kk++) {
            vec4 a[TM], b[TN];
            for (uint i = 0u; i < TM; i++) a[i] = x4[xr[i] + kk];
            for (uint j = 0u; j < TN; j++) b[j] = loadw4(wr[j] + kk);
            for (uint i = 0u; i < TM; i++)
                for (uint j = 0u; j < TN; j++) acc[i][j] += dot(a[i], b[j]);
        }
    } else {
        for (uint kk = 0u; kk < p.k; kk++) {
            float a[TM], b[TN];
            for (uint i = 0u; i < TM; i++) a[i] = x1[xr[i] + kk];
            for (uint j = 0u; j < TN; j++) b[j] = loadw(wr[j] + kk);
            for (uint i = 0u; i < TM; i++)
                for (uint j = 0u; j < TN; j++) acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
    }
    for (uint i = 0u; i < TM; i++)
        for (uint j = 0u; j < TN; j++)
            if (row0 + i < p.m && col0 + j < p.n) store_y(row0 + i, col0 + j, acc[i][j]);
}
