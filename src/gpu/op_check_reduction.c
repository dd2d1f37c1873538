/* op_check_reduction.c — op-check cases of the token-reduction kernel group (see op_check_internal.h).
 *
 * reduce_attn_mean_f32: each side runs the fused prefill for lse, then the head-mean probability matrix from
 * its own lse. Shapes are CLIP-like (bidirectional, CLS + an odd grid: 3x3, 5x4, 12x12) and LLM-like (causal,
 * GQA, contiguous and gapped positions as after a FiCoCo-L merge). Checked against the reference with the
 * attention group's bounds (NMSE 1e-9, 1e-5 * (1 + |ref|) per element), and on the device side alone:
 * every row sums to 1 (1e-5), keys a causal row may not see are exactly 0.
 *
 * The block cases (FiCoCo's partial passes) also check that a block reproduces the full matrix's entries bit
 * for bit and leaves every other entry alone.
 *
 * reduce_ficoco_select_f32: the head-mean attention A is built on the host (row-wise softmax of uniform
 * logits; causal for the LLM; every row sums to 1 over the keys it sees), so both sides select on the same
 * bytes. Cases with an even r run as FiCoCo records it, the filter phase then the correlate phase; odd r both
 * in one dispatch. The host model keeps the paper's candidate-row mean in the scores, so the shaders'
 * 1 - A[i, CLS] (VISION) and 1 - prefix sum (LANGUAGE) are checked against it. Outputs compared with the reference:
 * mask, src, dst exactly (guards included), scores and alpha within 5e-7 * (1 + |ref|) (<= 1e-6 for alpha).
 * Then invariants of the device output on its own, against a double-precision host model of the formulas:
 *   - scores match the model (penalised window maxima included) within 1e-6 + 1e-5 |s|;
 *   - the mask has exactly r zeros, all candidates; CLS, the prefix (BOS, system) and text rows stay 1;
 *   - the zeros are the r first candidates by the reported scores (ties: lower index);
 *   - src lists the zeros ascending, each k times; dst are distinct preserved candidates, best first, no
 *     preserved candidate outside them correlates more (ties: lower index); alpha >= 0, rows sum to 1,
 *     alpha = C / sum C within 1e-6;
 *   - r = 0 is the identity: mask all ones, nothing written to src / dst / alpha.
 * Variants: 0 random; 1 flat (A constant over the keys a row may see: every score and correlation ties, so
 * the tie rules decide everything, and alpha = 1/k); 2 duplicated tokens (pairs of candidates with equal rows
 * and columns: exact ties in score and correlation); 3 (VISION) a grid with every third patch already merged away, so
 * windows are partial and candidates are not the full raster; 4 (VISION) window 0 (no local penalty). */
#include "gpu/op_check_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool host_oom(check_env *e, const char *what) {
    vkvlm_error err = {VKVLM_ERR_OUT_OF_MEMORY, "out of host memory"};
    return op_check_fail(e, &err, what);
}

/* Same 4-byte words into a tensor (inside the guards) on both sides. */
static bool fill_words(check_env *e, const check_tensor *t, const void *words) {
    for (int s = 0; s < 2; s++) {
        vkvlm_error err = {0};
        if (gpu_buffer_write(t->buf[s], OP_CHECK_GUARD_FLOATS * sizeof(float), words, (uint64_t)t->count * 4, &err) !=
            VKVLM_OK)
            return op_check_fail(e, &err, "fill");
    }
    return true;
}

/* One side's elements (inside the guards). */
static bool read_side(check_env *e, const check_tensor *t, int side, void *host) {
    vkvlm_error err = {0};
    if (gpu_buffer_read(t->buf[side], OP_CHECK_GUARD_FLOATS * sizeof(float), host, (uint64_t)t->count * 4, &err) !=
        VKVLM_OK)
        return op_check_fail(e, &err, "readback");
    return true;
}

/* Integer outputs: every word, guards included, equal on both sides. */
static bool check_tensor_exact(check_env *e, const check_tensor *t, const char *what) {
    size_t total = (size_t)t->count + 2 * OP_CHECK_GUARD_FLOATS;
    uint32_t *got = malloc(total * 4), *want = malloc(total * 4);
    vkvlm_error err = {0};
    bool ok = got && want && gpu_buffer_read(t->buf[0], 0, got, total * 4, &err) == VKVLM_OK &&
              gpu_buffer_read(t->buf[1], 0, want, total * 4, &err) == VKVLM_OK;
    if (!ok) {
        free(got);
        free(want);
        return err.status ? op_check_fail(e, &err, "readback") : host_oom(e, "readback");
    }
    for (size_t i = 0; i < total && ok; i++) {
        if (got[i] == want[i]) continue;
        long at = (long)i - OP_CHECK_GUARD_FLOATS;
        e->result->outcome = OP_CHECK_FAIL;
        if (at < 0 || at >= (long)t->count)
            snprintf(e->result->detail, sizeof e->result->detail, "%s: write outside the output (guard word %ld)", what,
                     at < 0 ? at : at - (long)t->count);
        else
            snprintf(e->result->detail, sizeof e->result->detail, "%s: element %ld: got %d, reference %d", what, at,
                     (int32_t)got[i], (int32_t)want[i]);
        ok = false;
    }
    free(got);
    free(want);
    return ok;
}

/* Marks the case failed with a formatted detail; evaluates to false. */
#define FAIL(e, ...) \
    ((e)->result->outcome = OP_CHECK_FAIL, snprintf((e)->result->detail, sizeof (e)->result->detail, __VA_ARGS__), false)

/* ---------------------------------------------------------------- reduce_attn_mean_f32 */

/* t: q, k, v, pos_q, pos_k, out, lse, probs, then for a block case: blocks (the blocks' output), rows (int32) */
typedef struct mean_run {
    const gpu_attention_desc *desc;
    uint32_t blocks;                /* block passes after the full one (0: none) */
    gpu_attn_mean_part part[3];
    bool indexed[3];                /* rows from t[9] */
} mean_run;

static vkvlm_status record_attn_mean(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                     vkvlm_error *err) {
    const gpu_attention_desc *desc = ((const mean_run *)(const void *)shape)->desc;
    vkvlm_status st = gpu_op_attention_prefill_f32(cmd, check_bind(&t[5], s), check_bind(&t[6], s), check_bind(&t[0], s),
                                                   check_bind(&t[1], s), check_bind(&t[2], s), check_bind(&t[3], s),
                                                   check_bind(&t[4], s), desc, err);
    if (st != VKVLM_OK) return st;
    st = gpu_op_attention_mean_probs_f32(cmd, check_bind(&t[7], s), check_bind(&t[0], s), check_bind(&t[1], s),
                                         check_bind(&t[3], s), check_bind(&t[4], s), check_bind(&t[6], s), desc, err);
    const mean_run *run = (const mean_run *)(const void *)shape;
    gpu_binding none = {0};
    for (uint32_t b = 0; b < run->blocks && st == VKVLM_OK; b++)
        st = gpu_op_attention_mean_probs_part_f32(cmd, check_bind(&t[8], s), check_bind(&t[0], s), check_bind(&t[1], s),
                                                  check_bind(&t[3], s), check_bind(&t[4], s), check_bind(&t[6], s),
                                                  run->indexed[b] ? check_bind(&t[9], s) : none, &run->part[b], desc,
                                                  err);
    return st;
}

/* position of token j: mode 1 contiguous, mode 2 gapped (a merged-away run, as FiCoCo-L leaves) */
static int32_t mean_pos(uint32_t mode, uint32_t j) {
    return mode == 2 ? (int32_t)(j + 3 * (j >= 2) + 5 * (j >= 9) + 2 * (j >= 20)) : (int32_t)j;
}

/* Whether block pass b of run covers entry (i, j); rows: the indexed rows. */
static bool block_covers(const mean_run *run, const int32_t *rows, uint32_t i, uint32_t j) {
    for (uint32_t b = 0; b < run->blocks; b++) {
        const gpu_attn_mean_part *pt = &run->part[b];
        if (j < pt->col0 || j >= pt->col0 + pt->ncols) continue;
        for (uint32_t y = 0; y < pt->nrows; y++)
            if ((run->indexed[b] ? (uint32_t)rows[y * pt->index_stride] : pt->row0 + y) == i) return true;
    }
    return false;
}

/* shape: tokens, head_dim, q_heads, kv_heads, mode (0 bidirectional, 1 causal, 2 causal with gapped positions),
 * blocks (0: the full matrix only; 1: also FiCoCo-V's blocks: column and row 0, then every third row from row 2,
 * indexed with stride 2, over keys 1..; 2: also FiCoCo-L's block: rows n/5.. over keys n/5 .. n/5 + n/2). A block
 * case checks the blocks' output against the reference, and on the device alone: each entry in a block equals
 * the full matrix's bit for bit, every other entry keeps its sentinel. */
static bool check_attn_mean(check_env *e, const uint32_t *shape) {
    uint32_t n = shape[0], d = shape[1], qh = shape[2], kvh = shape[3], mode = shape[4], kind = shape[5];
    gpu_attention_desc desc = {.q_len = n, .kv_len = n, .q_heads = qh, .kv_heads = kvh, .head_dim = d,
                               .causal = mode != 0};
    check_tensor t[10];
    memset(t, 0, sizeof t);
    int made = 0;
    uint32_t nidx = n / 3 ? n / 3 : 1;
    uint32_t counts[10] = {n * qh * d, n * kvh * d, n * kvh * d, n, n, n * qh * d, qh * n, n * n, n * n, 2 * nidx};
    int tensors = kind ? 10 : 8;
    bool ok = true;
    for (; made < tensors && ok; made++) ok = check_tensor_make(e, &t[made], counts[made], made < 3, -2, 2);
    int32_t *pos = malloc(n * sizeof *pos), *rows = malloc(2 * nidx * sizeof *rows);
    float *probs = malloc((size_t)n * n * sizeof *probs), *blocks = malloc((size_t)n * n * sizeof *blocks);
    if (ok && (!pos || !probs || !rows || !blocks)) ok = host_oom(e, "inputs");
    if (ok) {
        for (uint32_t j = 0; j < n; j++) pos[j] = mean_pos(mode, j);
        ok = fill_words(e, &t[3], pos) && fill_words(e, &t[4], pos);
    }
    mean_run run = {.desc = &desc};
    if (ok && kind) {
        uint32_t idx_rows = 0;
        for (uint32_t y = 0; y < nidx; y++) {
            rows[2 * y] = (int32_t)((2 + 3 * y) % n);
            rows[2 * y + 1] = -7; /* between the indices: never read */
            idx_rows++;
        }
        if (kind == 1) {
            run.blocks = 3;
            run.part[0] = (gpu_attn_mean_part){.row0 = 1, .nrows = n - 1, .col0 = 0, .ncols = 1};
            run.part[1] = (gpu_attn_mean_part){.row0 = 0, .nrows = 1, .col0 = 1, .ncols = n - 1};
            run.part[2] = (gpu_attn_mean_part){.nrows = idx_rows, .col0 = 1, .ncols = n - 1, .index_stride = 2};
            run.indexed[2] = true;
        } else {
            run.blocks = 1;
            run.part[0] = (gpu_attn_mean_part){.row0 = n / 5, .nrows = n - n / 5, .col0 = n / 5, .ncols = n / 2};
        }
        for (size_t i = 0; i < (size_t)n * n; i++) blocks[i] = -1.0f; /* the sentinel */
        ok = fill_words(e, &t[9], rows) && fill_words(e, &t[8], blocks);
    }
    ok = ok && check_run_both(e, record_attn_mean, t, (const uint32_t *)(const void *)&run) &&
         check_tensor_compare(e, &t[7], 1e-9, 1e-5) && read_side(e, &t[7], 0, probs);
    if (ok && kind) ok = check_tensor_compare(e, &t[8], 1e-9, 1e-5) && read_side(e, &t[8], 0, blocks);
    for (uint32_t i = 0; i < n && ok && kind; i++)
        for (uint32_t j = 0; j < n && ok; j++) {
            float want = block_covers(&run, rows, i, j) ? probs[(size_t)i * n + j] : -1.0f;
            if (memcmp(&blocks[(size_t)i * n + j], &want, sizeof want) != 0)
                ok = FAIL(e, "blocks: row %u key %u: %.9g, want %.9g", i, j, blocks[(size_t)i * n + j], want);
        }
    for (uint32_t i = 0; i < n && ok; i++) {
        double sum = 0;
        for (uint32_t j = 0; j < n && ok; j++) {
            float v = probs[(size_t)i * n + j];
            if (mode && pos[j] > pos[i] && v != 0.0f)
                ok = FAIL(e, "row %u key %u: masked probability %g (want 0)", i, j, v);
            else if (v < 0.0f || v > 1.0f + 1e-6f)
                ok = FAIL(e, "row %u key %u: probability %g outside [0, 1 + 1e-6]", i, j, v);
            sum += v;
        }
        if (ok && fabs(sum - 1.0) > 1e-5) ok = FAIL(e, "row %u sums to %.9g", i, sum);
    }
    free(pos);
    free(rows);
    free(probs);
    free(blocks);
    for (int i = 0; i < made; i++) check_tensor_free(&t[i]);
    return ok;
}

/* ---------------------------------------------------------------- reduce_ficoco_select_f32 */

/* t: attn, orig, scores, mask, src, dst, alpha */
typedef struct select_run {
    const gpu_params_ficoco *p;
} select_run;

static vkvlm_status record_select(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                  vkvlm_error *err) {
    const gpu_params_ficoco *p = ((const select_run *)(const void *)shape)->p;
    /* even r: as FiCoCo records it, the filter phase then the correlate phase on what it left; odd r: both in
     * one dispatch (phase ALL) */
    gpu_params_ficoco ph = *p;
    ph.phase = p->r % 2 ? GPU_FICOCO_PHASE_ALL : GPU_FICOCO_PHASE_FILTER;
    vkvlm_status st = gpu_op_ficoco_select_f32(cmd, check_bind(&t[2], s), check_bind(&t[3], s), check_bind(&t[4], s),
                                               check_bind(&t[5], s), check_bind(&t[6], s), check_bind(&t[0], s),
                                               check_bind(&t[1], s), &ph, err);
    if (st != VKVLM_OK || ph.phase == GPU_FICOCO_PHASE_ALL) return st;
    ph.phase = GPU_FICOCO_PHASE_CORRELATE;
    return gpu_op_ficoco_select_f32(cmd, check_bind(&t[2], s), check_bind(&t[3], s), check_bind(&t[4], s),
                                    check_bind(&t[5], s), check_bind(&t[6], s), check_bind(&t[0], s),
                                    check_bind(&t[1], s), &ph, err);
}

/* Row-wise softmax of uniform logits in [-3, 3); causal: row q sees columns 0..q. */
static void make_attention(check_env *e, float *a, uint32_t rows, bool causal) {
    double *row = malloc(rows * sizeof *row);
    if (!row) return;
    for (uint32_t q = 0; q < rows; q++) {
        uint32_t see = causal ? q + 1 : rows;
        double mx = -1e30, sum = 0;
        for (uint32_t j = 0; j < see; j++) {
            row[j] = op_check_uniform(&e->rng, -3, 3);
            if (row[j] > mx) mx = row[j];
        }
        for (uint32_t j = 0; j < see; j++) sum += (row[j] = exp(row[j] - mx));
        for (uint32_t j = 0; j < rows; j++) a[(size_t)q * rows + j] = j < see ? (float)(row[j] / sum) : 0.0f;
    }
    free(row);
}

/* Makes candidates a and b indistinguishable: equal rows and equal columns of A. */
static void duplicate(float *a, uint32_t rows, uint32_t ra, uint32_t rb) {
    memcpy(a + (size_t)rb * rows, a + (size_t)ra * rows, rows * sizeof *a);
    for (uint32_t q = 0; q < rows; q++) a[(size_t)q * rows + rb] = a[(size_t)q * rows + ra];
}

static bool ranks_before(double vb, uint32_t b, double va, uint32_t a) { return vb > va || (vb == va && b < a); }

/* Host model (double) of C[i,j] for candidates i, j. */
static double model_corr(const gpu_params_ficoco *p, const float *a, uint32_t i, uint32_t j) {
    double c = a[(size_t)(p->v0 + i) * p->rows + p->v0 + j];
    if (p->mode == GPU_FICOCO_VISION) return c;
    double co = 0;
    for (uint32_t t = 0; t < p->nt; t++)
        co += (double)a[(size_t)(p->t0 + t) * p->rows + p->v0 + i] * a[(size_t)(p->t0 + t) * p->rows + p->v0 + j];
    return p->w_corr * c + (1.0 - p->w_corr) * co / p->nt;
}

/* The invariants of the header, on the device side's outputs. */
static bool check_select_invariants(check_env *e, const gpu_params_ficoco *p, const float *a, const int32_t *orig,
                                    const check_tensor *t) {
    uint32_t n = p->nv, rows = p->rows, r = p->r, k = p->k, pairs = r * k;
    float *scores = malloc(n * sizeof *scores), *alpha = malloc((pairs ? pairs : 1) * sizeof *alpha);
    uint32_t *mask = malloc(rows * sizeof *mask);
    int32_t *src = malloc((pairs ? pairs : 1) * sizeof *src), *dst = malloc((pairs ? pairs : 1) * sizeof *dst);
    double *model = malloc(n * sizeof *model);
    uint32_t *zeros = malloc((r ? r : 1) * sizeof *zeros);
    bool ok = scores && alpha && mask && src && dst && model && zeros ? true : host_oom(e, "invariants");
    ok = ok && read_side(e, &t[2], 0, scores) && read_side(e, &t[3], 0, mask) &&
         (!pairs || (read_side(e, &t[4], 0, src) && read_side(e, &t[5], 0, dst) && read_side(e, &t[6], 0, alpha)));
    /* scores against the model */
    for (uint32_t i = 0; i < n && ok; i++) {
        double vis = 0, other = 0;
        for (uint32_t j = 0; j < n; j++) vis += a[(size_t)(p->v0 + i) * rows + p->v0 + j];
        if (p->mode == GPU_FICOCO_VISION)
            other = a[(size_t)p->cls_row * rows + p->v0 + i];
        else {
            for (uint32_t q = 0; q < p->nt; q++) other += a[(size_t)(p->t0 + q) * rows + p->v0 + i];
            other /= p->nt;
        }
        model[i] = p->w_score * vis / n - (1.0 - p->w_score) * other;
    }
    if (ok && p->mode == GPU_FICOCO_VISION && p->window) {
        uint32_t per_row = (p->grid_w + p->window - 1) / p->window;
        bool *top = calloc(n, sizeof *top);
        if (!top) ok = host_oom(e, "invariants");
        for (uint32_t i = 0; i < n && ok; i++) {
            uint32_t ci = (uint32_t)orig[p->v0 + i], wi = (ci / p->grid_w / p->window) * per_row + ci % p->grid_w / p->window;
            top[i] = true;
            for (uint32_t j = 0; j < n && top[i]; j++) {
                uint32_t cj = (uint32_t)orig[p->v0 + j];
                uint32_t wj = (cj / p->grid_w / p->window) * per_row + cj % p->grid_w / p->window;
                if (j != i && wj == wi && ranks_before(model[j], j, model[i], i)) top[i] = false;
            }
        }
        for (uint32_t i = 0; i < n && ok; i++)
            if (top[i]) model[i] *= p->penalty;
        free(top);
    }
    for (uint32_t i = 0; i < n && ok; i++)
        if (fabs(scores[i] - model[i]) > 1e-6 + 1e-5 * fabs(model[i]))
            ok = FAIL(e, "score %u: %.9g, host model %.9g", i, scores[i], model[i]);
    /* mask: r zeros, candidates only; they are the r first by the reported scores */
    uint32_t nz = 0;
    for (uint32_t row = 0; row < rows && ok; row++) {
        if (mask[row] > 1) ok = FAIL(e, "mask[%u] = %u", row, mask[row]);
        else if (mask[row] == 0 && (row < p->v0 || row >= p->v0 + n))
            ok = FAIL(e, "mask[%u] = 0 outside the candidates (first %u)", row, p->v0);
        else if (mask[row] == 0) {
            if (nz < r) zeros[nz] = row;
            nz++;
        }
    }
    if (ok && nz != r) ok = FAIL(e, "%u rows masked, want r = %u", nz, r);
    for (uint32_t i = 0; i < n && ok; i++) {
        uint32_t rank = 0;
        for (uint32_t j = 0; j < n; j++)
            if (j != i && ranks_before(scores[j], j, scores[i], i)) rank++;
        if ((rank < r) != (mask[p->v0 + i] == 0))
            ok = FAIL(e, "candidate %u ranks %u by its score but the mask disagrees", i, rank);
    }
    /* pairs */
    for (uint32_t d = 0; d < r && ok; d++) {
        uint32_t i = zeros[d] - p->v0;
        double csum = 0, cmin = 1e30;
        for (uint32_t q = 0; q < k && ok; q++) {
            uint32_t o = d * k + q;
            if (src[o] != (int32_t)zeros[d])
                ok = FAIL(e, "src[%u] = %d, want the discarded row %u", o, src[o], zeros[d]);
            else if (dst[o] < (int32_t)p->v0 || dst[o] >= (int32_t)(p->v0 + n) || mask[dst[o]] == 0)
                ok = FAIL(e, "dst[%u] = %d is not a preserved candidate", o, dst[o]);
            for (uint32_t q2 = 0; q2 < q && ok; q2++)
                if (dst[d * k + q2] == dst[o]) ok = FAIL(e, "dst[%u] = %d repeats a target", o, dst[o]);
            if (!ok) break;
            double c = model_corr(p, a, i, (uint32_t)dst[o] - p->v0);
            if (q > 0) {
                double prev = model_corr(p, a, i, (uint32_t)dst[o - 1] - p->v0);
                if (c > prev + 1e-7 || (c == prev && dst[o] < dst[o - 1]))
                    ok = FAIL(e, "targets of row %u out of order at %u: %.9g after %.9g", zeros[d], q, c, prev);
            }
            csum += c;
            if (c < cmin) cmin = c;
        }
        for (uint32_t j = 0; j < n && ok; j++) {
            if (mask[p->v0 + j] == 0) continue;
            bool is_target = false;
            for (uint32_t q = 0; q < k; q++) is_target |= dst[d * k + q] == (int32_t)(p->v0 + j);
            double c = model_corr(p, a, i, j);
            if (!is_target && c > cmin + 1e-7)
                ok = FAIL(e, "row %u: preserved row %u correlates %.9g above the targets' %.9g", zeros[d], p->v0 + j, c,
                          cmin);
        }
        double asum = 0;
        for (uint32_t q = 0; q < k && ok; q++) {
            uint32_t o = d * k + q;
            double want = csum > 0 ? model_corr(p, a, i, (uint32_t)dst[o] - p->v0) / csum : 1.0 / k;
            if (!(alpha[o] >= 0.0f) || fabs(alpha[o] - want) > 1e-6)
                ok = FAIL(e, "alpha[%u]: %.9g, host model %.9g", o, alpha[o], want);
            asum += alpha[o];
        }
        if (ok && fabs(asum - 1.0) > 1e-6) ok = FAIL(e, "alpha of row %u sums to %.9g", zeros[d], asum);
    }
    free(scores);
    free(alpha);
    free(mask);
    free(src);
    free(dst);
    free(model);
    free(zeros);
    return ok;
}

/* Runs one selection on both sides and checks it. a: rows*rows, orig: rows. */
static bool run_select(check_env *e, const gpu_params_ficoco *p, const float *a, const int32_t *orig) {
    uint32_t pairs = p->r * p->k;
    check_tensor t[7];
    memset(t, 0, sizeof t);
    uint32_t counts[7] = {p->rows * p->rows, p->rows, p->nv, p->rows, pairs ? pairs : 1, pairs ? pairs : 1,
                          pairs ? pairs : 1};
    int made = 0;
    bool ok = true;
    for (; made < 7 && ok; made++) ok = check_tensor_make(e, &t[made], counts[made], false, 0, 0);
    ok = ok && fill_words(e, &t[0], a) && fill_words(e, &t[1], orig);
    select_run run = {p};
    ok = ok && check_run_both(e, record_select, t, (const uint32_t *)(const void *)&run) &&
         check_tensor_exact(e, &t[3], "mask") && check_tensor_exact(e, &t[4], "src") &&
         check_tensor_exact(e, &t[5], "dst") && check_tensor_compare(e, &t[2], 1e-12, 5e-7) &&
         check_tensor_compare(e, &t[6], 1e-12, 5e-7) && check_select_invariants(e, p, a, orig, t);
    if (ok && p->r == 0) { /* the identity, also independent of the reference */
        uint32_t *mask = malloc(p->rows * sizeof *mask);
        ok = mask ? read_side(e, &t[3], 0, mask) : host_oom(e, "mask");
        for (uint32_t row = 0; row < p->rows && ok; row++)
            if (mask[row] != 1) ok = FAIL(e, "remove 0: mask[%u] = %u", row, mask[row]);
        free(mask);
    }
    for (int i = 0; i < made; i++) check_tensor_free(&t[i]);
    return ok;
}

/* Fills A for a variant (1 flat, 2 duplicates among candidates v0..v0+nv-1, else random). Every row sums to 1
 * over the keys it sees, as a softmax row does (the scores read a candidate row's candidate sum as 1 minus the
 * rest of the row): flat is 1/rows everywhere, or, causal, 1/(v0+nv) over the prefix and candidate keys. */
static void attention_variant(check_env *e, float *a, uint32_t rows, bool causal, uint32_t variant, uint32_t v0,
                              uint32_t nv) {
    if (variant == 1) {
        for (size_t i = 0; i < (size_t)rows * rows; i++)
            a[i] = !causal ? 1.0f / (float)rows : i % rows < v0 + nv ? 1.0f / (float)(v0 + nv) : 0.0f;
        return;
    }
    make_attention(e, a, rows, causal);
    if (variant == 2 && nv >= 6) {
        duplicate(a, rows, v0, v0 + 1);
        duplicate(a, rows, v0 + nv / 2, v0 + nv / 2 + 2);
        duplicate(a, rows, v0 + nv - 3, v0 + nv - 1);
        /* rows sum to 1 again; equal rows and columns stay equal */
        for (uint32_t q = 0; q < rows; q++) {
            double sum = 0;
            for (uint32_t j = 0; j < rows; j++) sum += a[(size_t)q * rows + j];
            for (uint32_t j = 0; j < rows; j++) a[(size_t)q * rows + j] = (float)(a[(size_t)q * rows + j] / sum);
        }
    }
}

/* shape: grid_w, grid_h, r, k, variant. VISION: CLS at row 0, then the patches present (the raster grid, or for
 * variant 3 the grid without every third patch); lambda 0.35, 2x2 windows (variant 4: none), penalty 2. */
static bool check_select_v(check_env *e, const uint32_t *shape) {
    uint32_t gw = shape[0], gh = shape[1], variant = shape[4], cells = gw * gh, nv = 0;
    int32_t *orig = malloc((cells + 1) * sizeof *orig);
    if (!orig) return host_oom(e, "inputs");
    orig[0] = -1;
    for (uint32_t c = 0; c < cells; c++)
        if (variant != 3 || c % 3 != 1) orig[1 + nv++] = (int32_t)c;
    uint32_t rows = nv + 1;
    float *a = malloc((size_t)rows * rows * sizeof *a);
    if (!a) {
        free(orig);
        return host_oom(e, "inputs");
    }
    attention_variant(e, a, rows, false, variant, 1, nv);
    gpu_params_ficoco p = {.rows = rows, .v0 = 1, .nv = nv, .cls_row = 0, .r = shape[2], .k = shape[3],
                           .mode = GPU_FICOCO_VISION, .grid_w = gw, .window = variant == 4 ? 0 : 2,
                           .w_score = 0.35f, .penalty = 2.0f};
    bool ok = run_select(e, &p, a, orig);
    free(a);
    free(orig);
    return ok;
}

/* shape: prefix, nv, text, r, k, variant. LANGUAGE: prefix rows (BOS, system prompt), the image run, then the
 * text whose received attention counts; causal A; beta 0.6, gamma 0.6. */
static bool check_select_l(check_env *e, const uint32_t *shape) {
    uint32_t pre = shape[0], nv = shape[1], nt = shape[2], rows = pre + nv + nt;
    float *a = malloc((size_t)rows * rows * sizeof *a);
    int32_t *orig = calloc(rows, sizeof *orig);
    bool ok = a && orig ? true : host_oom(e, "inputs");
    if (ok) {
        attention_variant(e, a, rows, true, shape[5], pre, nv);
        for (uint32_t i = 0; i < rows; i++) orig[i] = (int32_t)(3 * i); /* positions: LANGUAGE ignores them */
        gpu_params_ficoco p = {.rows = rows, .v0 = pre, .nv = nv, .t0 = pre + nv, .nt = nt, .r = shape[3],
                               .k = shape[4], .mode = GPU_FICOCO_LANGUAGE, .w_score = 0.6f, .w_corr = 0.6f};
        ok = run_select(e, &p, a, orig);
    }
    free(a);
    free(orig);
    return ok;
}

static const op_case reduction_cases[] = {
    /* CLIP-like: CLS + 3x3, 5x4, 12x12 patches, bidirectional, MHA */
    {"reduce_attn_mean_f32", "tokens,d,qh,kvh,mode", check_attn_mean, {10, 64, 4, 4, 0}},
    {"reduce_attn_mean_f32", "tokens,d,qh,kvh,mode", check_attn_mean, {21, 80, 4, 4, 0}},
    {"reduce_attn_mean_f32", "tokens,d,qh,kvh,mode", check_attn_mean, {145, 64, 4, 4, 0}},
    /* LLM-like: causal, GQA, contiguous and gapped positions */
    {"reduce_attn_mean_f32", "tokens,d,qh,kvh,mode", check_attn_mean, {1, 16, 4, 1, 1}},
    {"reduce_attn_mean_f32", "tokens,d,qh,kvh,mode", check_attn_mean, {33, 64, 4, 2, 1}},
    {"reduce_attn_mean_f32", "tokens,d,qh,kvh,mode", check_attn_mean, {65, 128, 9, 3, 2}},
    {"reduce_attn_mean_f32", "tokens,d,qh,kvh,mode", check_attn_mean, {70, 16, 4, 1, 2}},
    /* blocks: FiCoCo-V's (CLS column, CLS row, indexed rows) and FiCoCo-L's (image and text rows, image keys) */
    {"reduce_attn_mean_f32", "tokens,d,qh,kvh,mode,blocks", check_attn_mean, {10, 64, 4, 4, 0, 1}},
    {"reduce_attn_mean_f32", "tokens,d,qh,kvh,mode,blocks", check_attn_mean, {145, 64, 4, 4, 0, 1}},
    {"reduce_attn_mean_f32", "tokens,d,qh,kvh,mode,blocks", check_attn_mean, {33, 64, 4, 2, 1, 2}},
    {"reduce_attn_mean_f32", "tokens,d,qh,kvh,mode,blocks", check_attn_mean, {65, 128, 9, 3, 2, 2}},
    /* FiCoCo-V: odd grids with CLS; remove 0 (identity), 1, many; targets 1 and 2; ties; partial grids */
    {"reduce_ficoco_select_f32", "gw,gh,r,k,var", check_select_v, {3, 3, 0, 2, 0}},
    {"reduce_ficoco_select_f32", "gw,gh,r,k,var", check_select_v, {3, 3, 1, 1, 0}},
    {"reduce_ficoco_select_f32", "gw,gh,r,k,var", check_select_v, {3, 3, 4, 2, 0}},
    {"reduce_ficoco_select_f32", "gw,gh,r,k,var", check_select_v, {3, 3, 7, 2, 1}},
    {"reduce_ficoco_select_f32", "gw,gh,r,k,var", check_select_v, {5, 4, 0, 1, 2}},
    {"reduce_ficoco_select_f32", "gw,gh,r,k,var", check_select_v, {5, 4, 1, 2, 2}},
    {"reduce_ficoco_select_f32", "gw,gh,r,k,var", check_select_v, {5, 4, 9, 2, 0}},
    {"reduce_ficoco_select_f32", "gw,gh,r,k,var", check_select_v, {5, 4, 9, 2, 1}},
    {"reduce_ficoco_select_f32", "gw,gh,r,k,var", check_select_v, {5, 4, 6, 1, 2}},
    {"reduce_ficoco_select_f32", "gw,gh,r,k,var", check_select_v, {5, 4, 5, 2, 4}},
    {"reduce_ficoco_select_f32", "gw,gh,r,k,var", check_select_v, {7, 7, 10, 2, 3}},
    {"reduce_ficoco_select_f32", "gw,gh,r,k,var", check_select_v, {24, 24, 24, 2, 0}},
    {"reduce_ficoco_select_f32", "gw,gh,r,k,var", check_select_v, {24, 24, 300, 2, 3}},
    /* FiCoCo-L: image run after a prefix (BOS / system), text after it; causal */
    {"reduce_ficoco_select_f32", "pre,nv,text,r,k,var", check_select_l, {1, 9, 4, 0, 2, 0}},
    {"reduce_ficoco_select_f32", "pre,nv,text,r,k,var", check_select_l, {1, 9, 4, 1, 1, 0}},
    {"reduce_ficoco_select_f32", "pre,nv,text,r,k,var", check_select_l, {5, 20, 1, 6, 2, 0}},
    {"reduce_ficoco_select_f32", "pre,nv,text,r,k,var", check_select_l, {5, 20, 7, 12, 2, 1}},
    {"reduce_ficoco_select_f32", "pre,nv,text,r,k,var", check_select_l, {3, 16, 5, 5, 2, 2}},
    {"reduce_ficoco_select_f32", "pre,nv,text,r,k,var", check_select_l, {0, 12, 3, 1, 2, 2}},
    {"reduce_ficoco_select_f32", "pre,nv,text,r,k,var", check_select_l, {35, 576, 20, 24, 2, 0}},
    {"reduce_ficoco_select_f32", "pre,nv,text,r,k,var", check_select_l, {1, 1024, 3, 300, 8, 0}},
};

const op_case *op_check_cases_reduction(int *count) {
    *count = (int)(sizeof reduction_cases / sizeof reduction_cases[0]);
    return reduction_cases;
}
