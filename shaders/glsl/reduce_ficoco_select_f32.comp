#version 450
// reduce_ficoco_select_f32 — FiCoCo's filter and correlate steps (METHODS.md section 2, golden/README.md) on
// the head-mean attention A [rows, rows] of one layer, in one workgroup. Candidates are rows v0+i, i < nv.
//   VISION:   s_i = w_score * (1 - A[v0+i, cls_row]) / nv - (1 - w_score) * A[cls_row, v0+i] (the rows of A sum
//             to 1 over the present tokens, CLS and the nv patches, so 1 - A[v0+i, cls_row] is the sum over the
//             patches, read from one column instead of nv); then in every
//             window x window cell of the original grid (orig[v0+i] = raster patch index, grid_w columns) the
//             candidate with the largest s (lower i on ties), judged on the unpenalised scores, gets s *= penalty.
//   LANGUAGE: s_i = w_score * (1 - sum_{j<v0} A[v0+i, j]) / nv - (1 - w_score) * mean_{t<nt} A[t0+t, v0+i]
//             (a causal image row sees the prefix and the image: its image sum is 1 minus its prefix sum).
// The r largest scores (ties to the lower index) are discarded. For each discarded i (ascending) the k
// preserved j with the largest correlation (ties to the lower index) are its targets:
//   VISION:   C[i,j] = A[v0+i, v0+j]
//   LANGUAGE: C[i,j] = w_corr * A[v0+i, v0+j] + (1 - w_corr) * mean_t A[t0+t, v0+i] * A[t0+t, v0+j]
// with alpha = C / sum over the k targets (1/k each when that sum is not positive).
// phase (gpu_params_ficoco.phase): ALL both steps; FILTER the scores, mask and src[d*k] (the discarded rows)
// only; CORRELATE the targets only, reading the discard set back from mask and src[d*k]. So FILTER reads
// VISION's column and row CLS, or LANGUAGE's prefix columns of the image rows and the text rows over the image
// columns; CORRELATE also the discarded rows over the candidates.
// Sums run in ascending index order in one invocation, as the CPU reference does.
// Bindings: 0 attn [rows, rows] (read), 1 orig [rows] int32 (read; VISION), 2 scores [nv] (written: the
//           scores the cut was made on), 3 mask [rows] u32 (written: 0 for discarded rows, else 1; read by
//           CORRELATE), 4 src, 5 dst [r*k] int32 (written: discarded row, target row; best target first; src
//           read by CORRELATE),
//           6 alpha [r*k] (written).
// Push constants: gpu_params_ficoco. Grid: one workgroup. Specialization constants: 0 workgroup size
// (default 256).
layout(local_size_x_id = 0) in;
layout(local_size_x = 256) in;

#define MAX_TOKENS 1024u
#define MAX_TARGETS 8u

layout(std430, binding = 0) readonly buffer Attn { float a[]; };
layout(std430, binding = 1) readonly buffer Orig { int orig[]; };
layout(std430, binding = 2) writeonly buffer Scores { float scores[]; };
layout(std430, binding = 3) buffer Mask { uint mask[]; };
layout(std430, binding = 4) buffer Src { int src[]; };
layout(std430, binding = 5) writeonly buffer Dst { int dst[]; };
layout(std430, binding = 6) writeonly buffer Alpha { float alpha[]; };
layout(push_constant) uniform Params {
    uint rows; uint v0; uint nv; uint t0; uint nt; uint cls_row; uint r; uint k; uint mode; uint grid_w;
    uint window; float w_score; float w_corr; float penalty; uint phase;
} p;

shared float s[MAX_TOKENS];
shared uint flag[MAX_TOKENS];
shared uint list[MAX_TOKENS];

float at(uint q, uint key) { return a[q * p.rows + key]; }

// mean over the text rows of the attention candidate i receives
float received(uint i) {
    float sum = 0.0;
    for (uint t = 0u; t < p.nt; t++) sum += at(p.t0 + t, p.v0 + i);
    return sum / float(p.nt);
}

uint window_of(uint i) {
    uint cell = uint(orig[p.v0 + i]), per_row = (p.grid_w + p.window - 1u) / p.window;
    return ((cell / p.grid_w) / p.window) * per_row + (cell % p.grid_w) / p.window;
}

// b ranks before a: larger, or equal at a lower index
bool before(float vb, uint b, float va, uint a_) { return vb > va || (vb == va && b < a_); }

float corr(uint i, uint j) {
    float c = at(p.v0 + i, p.v0 + j);
    if (p.mode == 0u) return c;
    // `precise`: no fused multiply-add, so every driver rounds like the CPU reference and near-ties pick the
    // same tokens on both (choices must match exactly, not within a tolerance)
    precise float co = 0.0;
    for (uint t = 0u; t < p.nt; t++) co += at(p.t0 + t, p.v0 + i) * at(p.t0 + t, p.v0 + j);
    precise float mixed = p.w_corr * c + (1.0 - p.w_corr) * (co / float(p.nt));
    return mixed;
}

void correlate(uint tid, uint step, uint n) {
    // top-k preserved targets of each discarded token
    for (uint d = tid; d < p.r; d += step) {
        uint i = list[d];
        uint best[MAX_TARGETS];
        float val[MAX_TARGETS];
        for (uint t = 0u; t < MAX_TARGETS; t++) { best[t] = 0u; val[t] = 0.0; }
        uint have = 0u;
        for (uint j = 0u; j < n; j++) {
            if (flag[j] != 0u) continue;
            float c = corr(i, j);
            if (have == p.k && !(c > val[p.k - 1u])) continue; // ascending j: equal keeps the lower index
            uint at_ = have < p.k ? have : p.k - 1u;
            while (at_ > 0u && c > val[at_ - 1u]) {
                best[at_] = best[at_ - 1u];
                val[at_] = val[at_ - 1u];
                at_--;
            }
            best[at_] = j;
            val[at_] = c;
            if (have < p.k) have++;
        }
        float sum = 0.0;
        for (uint t = 0u; t < p.k; t++) sum += val[t];
        for (uint t = 0u; t < p.k; t++) {
            uint o = d * p.k + t;
            src[o] = int(p.v0 + i);
            dst[o] = int(p.v0 + best[t]);
            alpha[o] = sum > 0.0 ? val[t] / sum : 1.0 / float(p.k);
        }
    }
}

void main() {
    uint tid = gl_LocalInvocationID.x, step = gl_WorkGroupSize.x, n = p.nv;
    if (p.phase == 2u) {
        // CORRELATE alone: the discard set FILTER left in mask and src
        for (uint i = tid; i < n; i += step) flag[i] = mask[p.v0 + i] == 0u ? 1u : 0u;
        for (uint d = tid; d < p.r; d += step) list[d] = uint(src[d * p.k]) - p.v0;
        barrier();
        correlate(tid, step, n);
        return;
    }
    // filter: raw scores
    for (uint i = tid; i < n; i += step) {
        precise float vis;
        if (p.mode == 0u) {
            vis = 1.0 - at(p.v0 + i, p.cls_row);
        } else {
            precise float pre = 0.0;
            for (uint j = 0u; j < p.v0; j++) pre += at(p.v0 + i, j);
            vis = 1.0 - pre;
        }
        float other = p.mode == 0u ? at(p.cls_row, p.v0 + i) : received(i);
        precise float score = p.w_score * (vis / float(n)) - (1.0 - p.w_score) * other;
        s[i] = score;
    }
    barrier();
    // local penalty: which candidates are their window's maximum
    for (uint i = tid; i < n; i += step) {
        uint boost = 0u;
        if (p.mode == 0u && p.window > 0u) {
            boost = 1u;
            uint w = window_of(i);
            for (uint j = 0u; j < n && boost == 1u; j++)
                if (j != i && window_of(j) == w && before(s[j], j, s[i], i)) boost = 0u;
        }
        flag[i] = boost;
    }
    barrier();
    for (uint i = tid; i < n; i += step)
        if (flag[i] != 0u) s[i] *= p.penalty;
    barrier();
    // discard the r largest
    for (uint i = tid; i < n; i += step) {
        uint rank = 0u;
        for (uint j = 0u; j < n; j++)
            if (j != i && before(s[j], j, s[i], i)) rank++;
        flag[i] = rank < p.r ? 1u : 0u;
        scores[i] = s[i];
    }
    barrier();
    if (tid == 0u) {
        uint c = 0u;
        for (uint i = 0u; i < n; i++)
            if (flag[i] != 0u) list[c++] = i;
    }
    for (uint row = tid; row < p.rows; row += step)
        mask[row] = (row >= p.v0 && row < p.v0 + n && flag[row - p.v0] != 0u) ? 0u : 1u;
    barrier();
    if (p.phase == 1u) {
        for (uint d = tid; d < p.r; d += step) src[d * p.k] = int(p.v0 + list[d]);
        return;
    }
    correlate(tid, step, n);
}
