// reduce_ficoco_select_f32 — WGSL twin of shaders/glsl/reduce_ficoco_select_f32.comp: FiCoCo's filter and
// correlate steps (METHODS.md section 2, golden/README.md) on the head-mean attention A [rows, rows] of one
// layer, in one workgroup. Candidates are rows v0+i, i < nv.
//   VISION:   s_i = w_score * (1 - A[v0+i, cls_row]) / nv - (1 - w_score) * A[cls_row, v0+i]; then in every
//             window x window cell of the original grid (orig[v0+i] = raster patch index, grid_w columns) the
//             candidate with the largest s (lower i on ties), judged on the unpenalised scores, gets s *= penalty.
//   LANGUAGE: s_i = w_score * (1 - sum_{j<v0} A[v0+i, j]) / nv - (1 - w_score) * mean_{t<nt} A[t0+t, v0+i].
// The r largest scores (ties to the lower index) are discarded. For each discarded i (ascending) the k
// preserved j with the largest correlation (ties to the lower index) are its targets:
//   VISION:   C[i,j] = A[v0+i, v0+j]
//   LANGUAGE: C[i,j] = w_corr * A[v0+i, v0+j] + (1 - w_corr) * mean_t A[t0+t, v0+i] * A[t0+t, v0+j]
// with alpha = C / sum over the k targets (1/k each when that sum is not positive).
// phase: 0 ALL both steps; 1 FILTER the scores, mask and src[d*k] only; 2 CORRELATE the targets only, reading
// the discard set back from mask and src[d*k]. Sums run in ascending index order in one invocation, as the CPU
// reference does.
// Bindings: 0 attn [rows, rows] (read), 1 orig [rows] i32 (read; VISION), 2 scores [nv] (written), 3 mask
// [rows] u32 (written; read by CORRELATE), 4 src, 5 dst [r*k] i32 (written; src read by CORRELATE), 6 alpha
// [r*k] (written), 7 params (uniform gpu_params_ficoco). Grid: one workgroup.
// Overrides: @id(0) workgroup size (default 256).
// Rewrites: WGSL has no `precise`; the GLSL kernel's precise sums are plain expressions here (Tint emits no
// contraction hints, and the drivers tested here do not fuse them: the op checks compare the choices exactly).
// Workgroup memory: 3 x 1024 x 4 bytes = 12 KiB, under WebGPU's default 16 KiB.
struct Params {
    rows: u32, v0: u32, nv: u32, t0: u32, nt: u32, cls_row: u32, r: u32, k: u32, mode: u32, grid_w: u32,
    window: u32, w_score: f32, w_corr: f32, penalty: f32, phase: u32,
}

const MAX_TOKENS: u32 = 1024u;
const MAX_TARGETS: u32 = 8u;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> orig: array<i32>;
@group(0) @binding(2) var<storage, read_write> scores: array<f32>;
@group(0) @binding(3) var<storage, read_write> mask: array<u32>;
@group(0) @binding(4) var<storage, read_write> src: array<i32>;
@group(0) @binding(5) var<storage, read_write> dst: array<i32>;
@group(0) @binding(6) var<storage, read_write> alpha: array<f32>;
@group(0) @binding(7) var<uniform> p: Params;

@id(0) override WG: u32 = 256u;

var<workgroup> s: array<f32, MAX_TOKENS>;
var<workgroup> flag: array<u32, MAX_TOKENS>;
var<workgroup> list: array<u32, MAX_TOKENS>;

fn at(q: u32, key: u32) -> f32 {
    return a[q * p.rows + key];
}

// mean over the text rows of the attention candidate i receives
fn received(i: u32) -> f32 {
    var sum = 0.0;
    for (var t = 0u; t < p.nt; t++) {
        sum += at(p.t0 + t, p.v0 + i);
    }
    return sum / f32(p.nt);
}

fn window_of(i: u32) -> u32 {
    let cell = u32(orig[p.v0 + i]);
    let per_row = (p.grid_w + p.window - 1u) / p.window;
    return ((cell / p.grid_w) / p.window) * per_row + (cell % p.grid_w) / p.window;
}

// b ranks before a: larger, or equal at a lower index
fn before(vb: f32, b: u32, va: f32, a_: u32) -> bool {
    return vb > va || (vb == va && b < a_);
}

fn corr(i: u32, j: u32) -> f32 {
    let c = at(p.v0 + i, p.v0 + j);
    if (p.mode == 0u) {
        return c;
    }
    var co = 0.0;
    for (var t = 0u; t < p.nt; t++) {
        co += at(p.t0 + t, p.v0 + i) * at(p.t0 + t, p.v0 + j);
    }
    return p.w_corr * c + (1.0 - p.w_corr) * (co / f32(p.nt));
}

// top-k preserved targets of each discarded token (no barriers: any control flow)
fn correlate(tid: u32, n: u32) {
    for (var d = tid; d < p.r; d += WG) {
        let i = list[d];
        var best: array<u32, MAX_TARGETS>;
        var val: array<f32, MAX_TARGETS>;
        var have = 0u;
        for (var j = 0u; j < n; j++) {
            if (flag[j] != 0u) {
                continue;
            }
            let c = corr(i, j);
            if (have == p.k && !(c > val[p.k - 1u])) {
                continue; // ascending j: equal keeps the lower index
            }
            var at_ = select(p.k - 1u, have, have < p.k);
            while (at_ > 0u && c > val[at_ - 1u]) {
                best[at_] = best[at_ - 1u];
                val[at_] = val[at_ - 1u];
                at_--;
            }
            best[at_] = j;
            val[at_] = c;
            if (have < p.k) {
                have++;
            }
        }
        var sum = 0.0;
        for (var t = 0u; t < p.k; t++) {
            sum += val[t];
        }
        for (var t = 0u; t < p.k; t++) {
            let o = d * p.k + t;
            src[o] = i32(p.v0 + i);
            dst[o] = i32(p.v0 + best[t]);
            alpha[o] = select(1.0 / f32(p.k), val[t] / sum, sum > 0.0);
        }
    }
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) tid: u32) {
    let n = p.nv;
    if (p.phase == 2u) {
        // CORRELATE alone: the discard set FILTER left in mask and src
        for (var i = tid; i < n; i += WG) {
            flag[i] = select(0u, 1u, mask[p.v0 + i] == 0u);
        }
        for (var d = tid; d < p.r; d += WG) {
            list[d] = u32(src[d * p.k]) - p.v0;
        }
        workgroupBarrier();
        correlate(tid, n);
        return;
    }
    // filter: raw scores
    for (var i = tid; i < n; i += WG) {
        var vis: f32;
        var other: f32;
        if (p.mode == 0u) {
            vis = 1.0 - at(p.v0 + i, p.cls_row);
            other = at(p.cls_row, p.v0 + i);
        } else {
            var pre = 0.0;
            for (var j = 0u; j < p.v0; j++) {
                pre += at(p.v0 + i, j);
            }
            vis = 1.0 - pre;
            other = received(i);
        }
        s[i] = p.w_score * (vis / f32(n)) - (1.0 - p.w_score) * other;
    }
    workgroupBarrier();
    // local penalty: which candidates are their window's maximum
    for (var i = tid; i < n; i += WG) {
        var boost = 0u;
        if (p.mode == 0u && p.window > 0u) {
            boost = 1u;
            let w = window_of(i);
            for (var j = 0u; j < n && boost == 1u; j++) {
                if (j != i && window_of(j) == w && before(s[j], j, s[i], i)) {
                    boost = 0u;
                }
            }
        }
        flag[i] = boost;
    }
    workgroupBarrier();
    for (var i = tid; i < n; i += WG) {
        if (flag[i] != 0u) {
            s[i] *= p.penalty;
        }
    }
    workgroupBarrier();
    // discard the r largest
    for (var i = tid; i < n; i += WG) {
        var rank = 0u;
        for (var j = 0u; j < n; j++) {
            if (j != i && before(s[j], j, s[i], i)) {
                rank++;
            }
        }
        flag[i] = select(0u, 1u, rank < p.r);
        scores[i] = s[i];
    }
    workgroupBarrier();
    if (tid == 0u) {
        var c = 0u;
        for (var i = 0u; i < n; i++) {
            if (flag[i] != 0u) {
                list[c] = i;
                c++;
            }
        }
    }
    for (var row = tid; row < p.rows; row += WG) {
        let cand = row >= p.v0 && row < p.v0 + n;
        var keep = 1u;
        if (cand && flag[row - p.v0] != 0u) {
            keep = 0u;
        }
        mask[row] = keep;
    }
    workgroupBarrier();
    if (p.phase == 1u) {
        for (var d = tid; d < p.r; d += WG) {
            src[d * p.k] = i32(p.v0 + list[d]);
        }
        return;
    }
    correlate(tid, n);
}
