/* cpu_reduction.c — CPU references of the token-reduction kernel group (gpu/kernels_reduction.h). The FiCoCo
 * selection sums in float, in the shader's order, so both backends make the same choices. */
#include <math.h>
#include <stdbool.h>

#include "gpu/cpu/cpu_kernels.h"

/* bindings: q, k, pos_q, pos_k, lse, probs, rows */
static void cpu_reduce_attn_mean_f32(const cpu_kernel_call *c) {
    const gpu_params_attn_mean *b = c->params;
    const gpu_params_attention *p = &b->a;
    const float *q = c->bindings[0], *k = c->bindings[1], *lse = c->bindings[4];
    const int32_t *pos_q = c->bindings[2], *pos_k = c->bindings[3], *rows = c->bindings[6];
    float *probs = c->bindings[5];
    uint32_t group = p->q_heads / p->kv_heads;
    for (uint32_t y = 0; y < b->nrows; y++)
        for (uint32_t x = 0; x < b->ncols; x++) {
            uint32_t i = b->indexed ? (uint32_t)rows[(uint64_t)y * b->index_stride] : b->row0 + y, j = b->col0 + x;
            if (i >= p->q_len || j >= p->kv_len) continue;
            double sum = 0;
            if (!p->causal || pos_k[j] <= pos_q[i])
                for (uint32_t h = 0; h < p->q_heads; h++) {
                    const float *qr = q + ((uint64_t)i * p->q_heads + h) * p->head_dim;
                    const float *kr = k + (uint64_t)j * p->kv_row_stride + (uint64_t)(h / group) * p->kv_head_stride;
                    double dot = 0;
                    for (uint32_t d = 0; d < p->head_dim; d++) dot += (double)qr[d] * kr[d];
                    sum += exp(dot * p->scale - lse[(uint64_t)h * p->q_len + i]);
                }
            probs[(uint64_t)i * p->kv_len + j] = (float)(sum / p->q_heads);
        }
}

typedef struct ficoco_view {
    const gpu_params_ficoco *p;
    const float *a;
    const int32_t *orig;
} ficoco_view;

static float at(const ficoco_view *v, uint32_t q, uint32_t key) { return v->a[(uint64_t)q * v->p->rows + key]; }

static float received(const ficoco_view *v, uint32_t i) {
    float sum = 0;
    for (uint32_t t = 0; t < v->p->nt; t++) sum += at(v, v->p->t0 + t, v->p->v0 + i);
    return sum / (float)v->p->nt;
}

static uint32_t window_of(const ficoco_view *v, uint32_t i) {
    const gpu_params_ficoco *p = v->p;
    uint32_t cell = (uint32_t)v->orig[p->v0 + i], per_row = (p->grid_w + p->window - 1) / p->window;
    return ((cell / p->grid_w) / p->window) * per_row + (cell % p->grid_w) / p->window;
}

static bool before(float vb, uint32_t b, float va, uint32_t a) { return vb > va || (vb == va && b < a); }

static float corr(const ficoco_view *v, uint32_t i, uint32_t j) {
    const gpu_params_ficoco *p = v->p;
    float c = at(v, p->v0 + i, p->v0 + j);
    if (p->mode == GPU_FICOCO_VISION) return c;
    float co = 0;
    for (uint32_t t = 0; t < p->nt; t++) co += at(v, p->t0 + t, p->v0 + i) * at(v, p->t0 + t, p->v0 + j);
    return p->w_corr * c + (1.0f - p->w_corr) * (co / (float)p->nt);
}

/* top-k preserved targets of each discarded token (flag: discarded; list: them ascending) */
static void correlate(const ficoco_view *v, const uint32_t *flag, const uint32_t *list, int32_t *src, int32_t *dst,
                      float *alpha) {
    const gpu_params_ficoco *p = v->p;
    uint32_t n = p->nv;
    for (uint32_t d = 0; d < p->r; d++) {
        uint32_t i = list[d], best[GPU_FICOCO_MAX_TARGETS] = {0}, have = 0;
        float val[GPU_FICOCO_MAX_TARGETS] = {0};
        for (uint32_t j = 0; j < n; j++) {
            if (flag[j]) continue;
            float cij = corr(v, i, j);
            if (have == p->k && !(cij > val[p->k - 1])) continue; /* ascending j: equal keeps the lower index */
            uint32_t at_ = have < p->k ? have : p->k - 1;
            for (; at_ > 0 && cij > val[at_ - 1]; at_--) {
                best[at_] = best[at_ - 1];
                val[at_] = val[at_ - 1];
            }
            best[at_] = j;
            val[at_] = cij;
            if (have < p->k) have++;
        }
        float sum = 0;
        for (uint32_t t = 0; t < p->k; t++) sum += val[t];
        for (uint32_t t = 0; t < p->k; t++) {
            uint32_t o = d * p->k + t;
            src[o] = (int32_t)(p->v0 + i);
            dst[o] = (int32_t)(p->v0 + best[t]);
            alpha[o] = sum > 0 ? val[t] / sum : 1.0f / (float)p->k;
        }
    }
}

/* bindings: attn, orig, scores, mask, src, dst, alpha */
static void cpu_reduce_ficoco_select_f32(const cpu_kernel_call *c) {
    const gpu_params_ficoco *p = c->params;
    ficoco_view v = {p, c->bindings[0], c->bindings[1]};
    float *scores = c->bindings[2], *alpha = c->bindings[6];
    uint32_t *mask = c->bindings[3];
    int32_t *src = c->bindings[4], *dst = c->bindings[5];
    static float s[GPU_FICOCO_MAX_TOKENS];
    static uint32_t flag[GPU_FICOCO_MAX_TOKENS], list[GPU_FICOCO_MAX_TOKENS];
    uint32_t n = p->nv;
    if (p->phase == GPU_FICOCO_PHASE_CORRELATE) { /* the discard set the filter phase left */
        for (uint32_t i = 0; i < n; i++) flag[i] = mask[p->v0 + i] == 0;
        for (uint32_t d = 0; d < p->r; d++) list[d] = (uint32_t)src[(uint64_t)d * p->k] - p->v0;
        correlate(&v, flag, list, src, dst, alpha);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        /* a softmax row sums to 1 over the keys it sees: VISION's CLS and the patches, so the patch sum is
         * 1 - A[i, CLS]; LANGUAGE's (causal) prefix and image, so the image sum is 1 - the prefix sum */
        float vis;
        if (p->mode == GPU_FICOCO_VISION) vis = 1.0f - at(&v, p->v0 + i, p->cls_row);
        else {
            float pre = 0;
            for (uint32_t j = 0; j < p->v0; j++) pre += at(&v, p->v0 + i, j);
            vis = 1.0f - pre;
        }
        float other = p->mode == GPU_FICOCO_VISION ? at(&v, p->cls_row, p->v0 + i) : received(&v, i);
        s[i] = p->w_score * (vis / (float)n) - (1.0f - p->w_score) * other;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t boost = 0;
        if (p->mode == GPU_FICOCO_VISION && p->window > 0) {
            boost = 1;
            uint32_t w = window_of(&v, i);
            for (uint32_t j = 0; j < n && boost; j++)
                if (j != i && window_of(&v, j) == w && before(s[j], j, s[i], i)) boost = 0;
        }
        flag[i] = boost;
    }
    for (uint32_t i = 0; i < n; i++)
        if (flag[i]) s[i] *= p->penalty;
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t rank = 0;
        for (uint32_t j = 0; j < n; j++)
            if (j != i && before(s[j], j, s[i], i)) rank++;
        flag[i] = rank < p->r;
        scores[i] = s[i];
    }
    for (uint32_t i = 0; i < n; i++)
        if (flag[i]) list[count++] = i;
    for (uint32_t row = 0; row < p->rows; row++)
        mask[row] = (row >= p->v0 && row < p->v0 + n && flag[row - p->v0]) ? 0u : 1u;
    if (p->phase == GPU_FICOCO_PHASE_FILTER) {
        for (uint32_t d = 0; d < p->r; d++) src[(uint64_t)d * p->k] = (int32_t)(p->v0 + list[d]);
        return;
    }
    correlate(&v, flag, list, src, dst, alpha);
}

cpu_kernel_fn cpu_lookup_reduction(gpu_kernel kernel) {
    switch (kernel) {
    case GPU_KERNEL_REDUCE_ATTN_MEAN_F32: return cpu_reduce_attn_mean_f32;
    case GPU_KERNEL_REDUCE_FICOCO_SELECT_F32: return cpu_reduce_ficoco_select_f32;
    default: return 0;
    }
}
