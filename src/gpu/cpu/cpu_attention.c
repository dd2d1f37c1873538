/* cpu_attention.c — CPU references of the attention kernel group (gpu/kernels_attention.h): obvious loops, double
 * accumulation for long sums. Masked keys are left out of the softmax (probability 0, as -inf scores); a row
 * that sees no key gives zeros and lse -inf, as the shaders do. */
#include <math.h>
#include <stdbool.h>

#include "gpu/cpu/cpu_kernels.h"

/* Offset of key/value row j of kv head g. */
static uint64_t kv_at(const gpu_params_attention *p, uint32_t j, uint32_t g) {
    return (uint64_t)j * p->kv_row_stride + (uint64_t)g * p->kv_head_stride;
}

static bool visible(const gpu_params_attention *p, const int32_t *pos_q, const int32_t *pos_k, uint32_t i,
                    uint32_t j) {
    return !p->causal || pos_k[j] <= pos_q[i];
}

/* Scaled score of query row i, head h against key j. */
static double score(const gpu_params_attention *p, const float *q, const float *k, uint32_t i, uint32_t h,
                    uint32_t j) {
    const float *qr = q + ((uint64_t)i * p->q_heads + h) * p->head_dim;
    const float *kr = k + kv_at(p, j, h / (p->q_heads / p->kv_heads));
    double dot = 0;
    for (uint32_t d = 0; d < p->head_dim; d++) dot += (double)qr[d] * kr[d];
    return dot * p->scale;
}

/* Softmax pieces of row i, head h over keys [j0, j1): the max score m (-inf when no key is visible), the sum
 * l = sum exp(s - m) and the unnormalised acc = sum exp(s - m) v. */
static void attend(const gpu_params_attention *p, const float *q, const float *k, const float *v,
                   const int32_t *pos_q, const int32_t *pos_k, uint32_t i, uint32_t h, uint32_t j0, uint32_t j1,
                   double *m, double *l, double *acc) {
    uint32_t g = h / (p->q_heads / p->kv_heads);
    *m = -INFINITY;
    *l = 0;
    for (uint32_t d = 0; d < p->head_dim; d++) acc[d] = 0;
    for (uint32_t j = j0; j < j1; j++)
        if (visible(p, pos_q, pos_k, i, j)) *m = fmax(*m, score(p, q, k, i, h, j));
    if (*m == -INFINITY) return;
    for (uint32_t j = j0; j < j1; j++) {
        if (!visible(p, pos_q, pos_k, i, j)) continue;
        double e = exp(score(p, q, k, i, h, j) - *m);
        *l += e;
        const float *vr = v + kv_at(p, j, g);
        for (uint32_t d = 0; d < p->head_dim; d++) acc[d] += e * vr[d];
    }
}

/* Final output and lse of row i, head h from its softmax pieces. */
static void finish(const gpu_params_attention *p, float *out, float *lse, uint32_t i, uint32_t h, double m, double l,
                   const double *acc) {
    float *o = out + ((uint64_t)i * p->q_heads + h) * p->head_dim;
    for (uint32_t d = 0; d < p->head_dim; d++) o[d] = l > 0 ? (float)(acc[d] / l) : 0.0f;
    if (p->has_lse) lse[(uint64_t)h * p->q_len + i] = l > 0 ? (float)(m + log(l)) : -INFINITY;
}

/* bindings: q, k, v, pos_q, pos_k, out, lse */
static void cpu_attn_prefill_f32(const cpu_kernel_call *c) {
    const gpu_params_attention *p = c->params;
    double acc[GPU_ATTN_MAX_HEAD_DIM], m, l;
    for (uint32_t i = 0; i < p->q_len; i++)
        for (uint32_t h = 0; h < p->q_heads; h++) {
            attend(p, c->bindings[0], c->bindings[1], c->bindings[2], c->bindings[3], c->bindings[4], i, h, 0,
                   p->kv_len, &m, &l, acc);
            finish(p, c->bindings[5], c->bindings[6], i, h, m, l, acc);
        }
}

/* bindings: q, k, v, pos_q, pos_k, out, lse, partial. With splits > 1 the reference writes the same
 * partials as the shader (per split: m, l, acc relative to that split's own max). */
static void cpu_attn_decode_f32(const cpu_kernel_call *c) {
    const gpu_params_attention *p = c->params;
    double acc[GPU_ATTN_MAX_HEAD_DIM], m, l;
    for (uint32_t i = 0; i < p->q_len; i++)
        for (uint32_t h = 0; h < p->q_heads; h++) {
            if (p->splits <= 1) {
                attend(p, c->bindings[0], c->bindings[1], c->bindings[2], c->bindings[3], c->bindings[4], i, h, 0,
                       p->kv_len, &m, &l, acc);
                finish(p, c->bindings[5], c->bindings[6], i, h, m, l, acc);
                continue;
            }
            for (uint32_t s = 0; s < p->splits; s++) {
                uint32_t j0 = s * p->chunk, j1 = j0 + p->chunk < p->kv_len ? j0 + p->chunk : p->kv_len;
                attend(p, c->bindings[0], c->bindings[1], c->bindings[2], c->bindings[3], c->bindings[4], i, h,
                       j0 < j1 ? j0 : j1, j1, &m, &l, acc);
                float *part = (float *)c->bindings[7] +
                              (((uint64_t)i * p->q_heads + h) * p->splits + s) * (p->head_dim + 2);
                part[0] = (float)m;
                part[1] = (float)l;
                for (uint32_t d = 0; d < p->head_dim; d++) part[2 + d] = (float)acc[d];
            }
        }
}

/* bindings: partial, out, lse */
static void cpu_attn_decode_combine_f32(const cpu_kernel_call *c) {
    const gpu_params_attention *p = c->params;
    double acc[GPU_ATTN_MAX_HEAD_DIM];
    for (uint32_t i = 0; i < p->q_len; i++)
        for (uint32_t h = 0; h < p->q_heads; h++) {
            const float *part =
                (const float *)c->bindings[0] + ((uint64_t)i * p->q_heads + h) * p->splits * (p->head_dim + 2);
            double mx = -INFINITY, l = 0;
            for (uint32_t s = 0; s < p->splits; s++) mx = fmax(mx, part[s * (p->head_dim + 2)]);
            for (uint32_t d = 0; d < p->head_dim; d++) acc[d] = 0;
            for (uint32_t s = 0; s < p->splits && mx != -INFINITY; s++) {
                const float *ps = part + s * (p->head_dim + 2);
                if (ps[0] == -INFINITY) continue;
                double w = exp(ps[0] - mx);
                l += ps[1] * w;
                for (uint32_t d = 0; d < p->head_dim; d++) acc[d] += ps[2 + d] * w;
            }
            finish(p, c->bindings[1], c->bindings[2], i, h, mx, l, acc);
        }
}

/* bindings: q, k, pos_q, pos_k, lse, scores */
static void cpu_attn_score_row_f32(const cpu_kernel_call *c) {
    const gpu_params_attention *p = c->params;
    const float *lse = c->bindings[4];
    float *scores = c->bindings[5];
    for (uint32_t j = 0; j < p->kv_len; j++) {
        double sum = 0;
        if (visible(p, c->bindings[2], c->bindings[3], p->row, j))
            for (uint32_t h = 0; h < p->q_heads; h++)
                sum += exp(score(p, c->bindings[0], c->bindings[1], p->row, h, j) -
                           lse[(uint64_t)h * p->q_len + p->row]);
        scores[j] = (float)(sum / p->q_heads);
    }
}

cpu_kernel_fn cpu_lookup_attention(gpu_kernel kernel) {
    switch (kernel) {
    case GPU_KERNEL_ATTN_PREFILL_F32: return cpu_attn_prefill_f32;
    case GPU_KERNEL_ATTN_DECODE_F32:
    case GPU_KERNEL_ATTN_DECODE_SG_F32: return cpu_attn_decode_f32;
    case GPU_KERNEL_ATTN_DECODE_LANES_F32: return cpu_attn_decode_f32; /* the grid differs, the result does not */
    case GPU_KERNEL_ATTN_DECODE_COMBINE_F32: return cpu_attn_decode_combine_f32;
    case GPU_KERNEL_ATTN_SCORE_ROW_F32: return cpu_attn_score_row_f32;
    default: return 0;
    }
}
