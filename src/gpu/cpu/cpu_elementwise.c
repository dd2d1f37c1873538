/* cpu_elementwise.c — CPU references of the elementwise kernel group (gpu/kernels_elementwise.h): obvious
 * loops in double, long sums accumulated in double, libm's erf/tanh/exp/cos; index ops written independently
 * of the shaders (top-k by sorting). Both variants of a row kernel (subgroup and shared-memory reductions)
 * share one reference. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/cpu/cpu_kernels.h"

/* out = a (op) b[i % b_n] */
static void cpu_eltwise_binary_f32(const cpu_kernel_call *c) {
    const gpu_params_eltwise_binary *p = c->params;
    const float *a = c->bindings[0], *b = c->bindings[1];
    float *out = c->bindings[2];
    for (uint32_t i = 0; i < p->n; i++) {
        float bv = b[i % p->b_n];
        out[i] = p->op == GPU_ELTWISE_ADD ? a[i] + bv : a[i] * bv;
    }
}

/* y += x[i % x_n] */
static void cpu_eltwise_add_inplace_f32(const cpu_kernel_call *c) {
    const gpu_params_eltwise_inplace *p = c->params;
    const float *x = c->bindings[0];
    float *y = c->bindings[1];
    for (uint32_t i = 0; i < p->n; i++) y[i] += x[i % p->x_n];
}

static double sigmoid(double v) { return 1.0 / (1.0 + exp(-v)); }

/* The textbook formulas (torch's definitions), evaluated in double. */
static void cpu_act_unary_f32(const cpu_kernel_call *c) {
    const gpu_params_act *p = c->params;
    const float *x = c->bindings[0];
    float *out = c->bindings[1];
    for (uint32_t i = 0; i < p->n; i++) {
        double v = x[i], r;
        switch (p->op) {
        case GPU_ACT_SCALE: r = (double)(x[i] * p->s); break; /* one float product: exact to compare */
        case GPU_ACT_GELU: r = 0.5 * v * (1.0 + erf(v / sqrt(2.0))); break;
        case GPU_ACT_GELU_TANH:
            r = 0.5 * v * (1.0 + tanh(sqrt(2.0 / 3.14159265358979323846) * (v + 0.044715 * v * v * v)));
            break;
        case GPU_ACT_QUICK_GELU: r = v * sigmoid(1.702 * v); break;
        default: r = v * sigmoid(v); break;
        }
        out[i] = (float)r;
    }
}

static void cpu_act_swiglu_f32(const cpu_kernel_call *c) {
    const gpu_params_swiglu *p = c->params;
    const float *g = c->bindings[0], *u = c->bindings[1];
    float *out = c->bindings[2];
    for (uint32_t r = 0; r < p->rows; r++) {
        for (uint32_t k = 0; k < p->cols; k++) {
            double gv = g[(size_t)r * p->stride + k];
            out[(size_t)r * p->cols + k] = (float)(gv * sigmoid(gv) * u[(size_t)r * p->stride + p->up_offset + k]);
        }
    }
}

/* torch.nn.LayerNorm: biased variance, two passes. */
static void cpu_norm_layer_f32(const cpu_kernel_call *c) {
    const gpu_params_norm *p = c->params;
    const float *x = c->bindings[0], *w = c->bindings[1], *b = c->bindings[2];
    float *y = c->bindings[3];
    for (uint32_t r = 0; r < p->rows; r++) {
        const float *xr = x + (size_t)r * p->cols;
        double mean = 0, var = 0;
        for (uint32_t k = 0; k < p->cols; k++) mean += xr[k];
        mean /= p->cols;
        for (uint32_t k = 0; k < p->cols; k++) var += (xr[k] - mean) * (xr[k] - mean);
        double inv = 1.0 / sqrt(var / p->cols + p->eps);
        for (uint32_t k = 0; k < p->cols; k++) y[(size_t)r * p->cols + k] = (float)((xr[k] - mean) * inv * w[k] + b[k]);
    }
}

/* HF LlamaRMSNorm: x * rsqrt(mean(x^2) + eps) * w. */
static void cpu_norm_rms_f32(const cpu_kernel_call *c) {
    const gpu_params_norm *p = c->params;
    const float *x = c->bindings[0], *w = c->bindings[1];
    float *y = c->bindings[2];
    for (uint32_t r = 0; r < p->rows; r++) {
        const float *xr = x + (size_t)r * p->cols;
        double ss = 0;
        for (uint32_t k = 0; k < p->cols; k++) ss += (double)xr[k] * xr[k];
        double inv = 1.0 / sqrt(ss / p->cols + p->eps);
        for (uint32_t k = 0; k < p->cols; k++) y[(size_t)r * p->cols + k] = (float)(xr[k] * inv * w[k]);
    }
}

static void cpu_softmax_f32(const cpu_kernel_call *c) {
    const gpu_params_rows *p = c->params;
    const float *x = c->bindings[0];
    float *y = c->bindings[1];
    for (uint32_t r = 0; r < p->rows; r++) {
        const float *xr = x + (size_t)r * p->cols;
        float *yr = y + (size_t)r * p->cols;
        double m = -INFINITY, s = 0;
        for (uint32_t k = 0; k < p->cols; k++) m = xr[k] > m ? xr[k] : m;
        for (uint32_t k = 0; k < p->cols; k++) s += exp(xr[k] - m);
        for (uint32_t k = 0; k < p->cols; k++) yr[k] = (float)(exp(xr[k] - m) / s);
    }
}

/* HF's float32 angle (one f32 product), then cos/sin and the rotation in double. */
static void cpu_rope_neox_f32(const cpu_kernel_call *c) {
    const gpu_params_rope *p = c->params;
    const float *x = c->bindings[0], *inv_freq = c->bindings[2];
    const int32_t *pos = c->bindings[1];
    float *y = c->bindings[3];
    uint32_t half = p->head_dim / 2;
    for (uint32_t t = 0; t < p->tokens; t++) {
        for (uint32_t h = 0; h < p->heads; h++) {
            const float *xr = x + (size_t)t * p->in_stride + (size_t)h * p->head_dim;
            float *yr = y + (size_t)t * p->out_stride + (size_t)h * p->head_dim;
            for (uint32_t i = 0; i < half; i++) {
                float a = (float)pos[t] * inv_freq[i];
                double cs = cos((double)a), sn = sin((double)a), x1 = xr[i], x2 = xr[i + half];
                yr[i] = (float)(x1 * cs - x2 * sn);
                yr[i + half] = (float)(x2 * cs + x1 * sn);
            }
        }
    }
}

/* rope_qkv: the same rotation as cpu_rope_neox_f32 for the q and k heads, then v and pos copied. */
static void cpu_rope_qkv_f32(const cpu_kernel_call *c) {
    const gpu_params_rope_qkv *p = c->params;
    const float *x = c->bindings[0], *inv_freq = c->bindings[2];
    const int32_t *pos = c->bindings[1];
    float *outs[3] = {c->bindings[3], c->bindings[4], c->bindings[5]};
    int32_t *pos_out = c->bindings[6];
    uint32_t half = p->head_dim / 2, counts[3] = {p->q_heads, p->kv_heads, p->kv_heads};
    for (uint32_t t = 0; t < p->tokens; t++) {
        const float *xr = x + (size_t)t * p->in_stride;
        pos_out[p->pos_first + t] = pos[t];
        for (int part = 0; part < 3; part++) {
            for (uint32_t h = 0; h < counts[part]; h++, xr += p->head_dim) {
                float *yr = outs[part] + ((size_t)t * counts[part] + h) * p->head_dim;
                for (uint32_t i = 0; i < half; i++) {
                    if (part == 2) {
                        yr[i] = xr[i];
                        yr[i + half] = xr[i + half];
                        continue;
                    }
                    float a = (float)pos[t] * inv_freq[i];
                    double cs = cos((double)a), sn = sin((double)a), x1 = xr[i], x2 = xr[i + half];
                    yr[i] = (float)(x1 * cs - x2 * sn);
                    yr[i + half] = (float)(x2 * cs + x1 * sn);
                }
            }
        }
    }
}

/* 4-byte words copied as bits; out-of-range indices give zero rows. */
static void cpu_gather_rows_b32(const cpu_kernel_call *c) {
    const gpu_params_gather *p = c->params;
    const uint32_t *src = c->bindings[0];
    const int32_t *idx = c->bindings[1];
    uint32_t *out = c->bindings[2];
    for (uint32_t i = 0; i < p->count; i++) {
        bool in = idx[i] >= 0 && (uint32_t)idx[i] < p->src_rows;
        for (uint32_t k = 0; k < p->cols; k++)
            out[(size_t)i * p->cols + k] = in ? src[(size_t)idx[i] * p->cols + k] : 0;
    }
}

static void cpu_scatter_rows_b32(const cpu_kernel_call *c) {
    const gpu_params_gather *p = c->params;
    const uint32_t *src = c->bindings[0];
    const int32_t *idx = c->bindings[1];
    uint32_t *dst = c->bindings[2];
    for (uint32_t i = 0; i < p->count; i++) {
        if (idx[i] < 0 || (uint32_t)idx[i] >= p->src_rows) continue;
        memcpy(dst + (size_t)idx[i] * p->cols, src + (size_t)i * p->cols, p->cols * sizeof *dst);
    }
}

static void cpu_scan_mask_u32(const cpu_kernel_call *c) {
    const gpu_params_rows *p = c->params;
    const uint32_t *mask = c->bindings[0];
    uint32_t *offsets = c->bindings[1];
    int32_t *kept = c->bindings[2];
    uint32_t n = p->cols;
    for (uint32_t r = 0; r < p->rows; r++) {
        uint32_t total = 0;
        for (uint32_t i = 0; i < n; i++) {
            offsets[(size_t)r * (n + 1) + i] = total;
            if (mask[(size_t)r * n + i]) kept[(size_t)r * n + total++] = (int32_t)i;
        }
        offsets[(size_t)r * (n + 1) + n] = total;
        for (uint32_t j = total; j < n; j++) kept[(size_t)r * n + j] = -1;
    }
}

/* Top-k by sorting (value, index) pairs: an oracle independent of the shader's rank counting. */
typedef struct topk_pair {
    float v;
    uint32_t i;
} topk_pair;

static int topk_desc(const void *a, const void *b) {
    const topk_pair *x = a, *y = b;
    if (x->v != y->v) return x->v > y->v ? -1 : 1;
    return x->i < y->i ? -1 : (x->i > y->i);
}

static int topk_asc(const void *a, const void *b) {
    const topk_pair *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return x->i < y->i ? -1 : (x->i > y->i);
}

static void cpu_topk_rank_f32(const cpu_kernel_call *c) {
    const gpu_params_topk *p = c->params;
    const float *v = c->bindings[0];
    uint32_t *mask = c->bindings[1];
    topk_pair *pairs = malloc((p->n ? p->n : 1) * sizeof *pairs);
    if (!pairs) return; /* the reference backend has no error path here; the comparison then fails */
    for (uint32_t r = 0; r < p->rows; r++) {
        for (uint32_t i = 0; i < p->n; i++) pairs[i] = (topk_pair){v[(size_t)r * p->n + i], i};
        qsort(pairs, p->n, sizeof *pairs, p->largest ? topk_desc : topk_asc);
        for (uint32_t i = 0; i < p->n; i++) mask[(size_t)r * p->n + pairs[i].i] = i < p->k;
    }
    free(pairs);
}

/* torch.nn.functional.normalize: x / max(||x||, eps). */
static void cpu_norm_l2_f32(const cpu_kernel_call *c) {
    const gpu_params_norm *p = c->params;
    const float *x = c->bindings[0];
    float *y = c->bindings[1];
    for (uint32_t r = 0; r < p->rows; r++) {
        const float *xr = x + (size_t)r * p->cols;
        double ss = 0;
        for (uint32_t k = 0; k < p->cols; k++) ss += (double)xr[k] * xr[k];
        double norm = sqrt(ss) > p->eps ? sqrt(ss) : p->eps;
        for (uint32_t k = 0; k < p->cols; k++) y[(size_t)r * p->cols + k] = (float)(xr[k] / norm);
    }
}

/* Per target: (x + sum alpha*x_src) / (1 + sum alpha), in double; all reads before any write, as the
 * kernel's contract (no row both source and target) makes the order irrelevant. */
static void cpu_merge_weighted_f32(const cpu_kernel_call *c) {
    const gpu_params_merge *p = c->params;
    float *x = c->bindings[0];
    const int32_t *src = c->bindings[1], *dst = c->bindings[2];
    const float *alpha = c->bindings[3];
    for (uint32_t q = 0; q < p->pairs; q++) {
        bool valid = src[q] >= 0 && (uint32_t)src[q] < p->rows && dst[q] >= 0 && (uint32_t)dst[q] < p->rows;
        bool first = valid;
        for (uint32_t e = 0; e < q && first; e++)
            first = !(dst[e] == dst[q] && src[e] >= 0 && (uint32_t)src[e] < p->rows);
        if (!first) continue;
        for (uint32_t k = 0; k < p->cols; k++) {
            double acc = x[(size_t)dst[q] * p->cols + k], w = 1;
            for (uint32_t e = q; e < p->pairs; e++) {
                if (dst[e] != dst[q] || src[e] < 0 || (uint32_t)src[e] >= p->rows) continue;
                acc += (double)alpha[e] * x[(size_t)src[e] * p->cols + k];
                w += alpha[e];
            }
            x[(size_t)dst[q] * p->cols + k] = (float)(acc / w);
        }
    }
}

/* torch's source index for align_corners = False, in float exactly as the shader (and torch's float kernel)
 * computes it, so both pick the same taps; the blend is in double. */
static void grid_source(uint32_t o, uint32_t n_in, uint32_t n_out, uint32_t *i0, uint32_t *i1, double *l) {
    float scale = (float)n_in / (float)n_out;
    float s = ((float)o + 0.5f) * scale - 0.5f;
    if (s < 0) s = 0;
    *i0 = (uint32_t)s < n_in - 1 ? (uint32_t)s : n_in - 1;
    *i1 = *i0 + 1 < n_in ? *i0 + 1 : n_in - 1;
    *l = s - (float)*i0;
}

static void cpu_grid_bilinear_f32(const cpu_kernel_call *c) {
    const gpu_params_grid *p = c->params;
    const float *x = c->bindings[0];
    float *y = c->bindings[1];
    for (uint32_t oy = 0; oy < p->out_h; oy++) {
        for (uint32_t ox = 0; ox < p->out_w; ox++) {
            uint32_t y0, y1, x0, x1;
            double ly, lx;
            grid_source(oy, p->in_h, p->out_h, &y0, &y1, &ly);
            grid_source(ox, p->in_w, p->out_w, &x0, &x1, &lx);
            const float *r00 = x + ((size_t)y0 * p->in_w + x0) * p->cols;
            const float *r01 = x + ((size_t)y0 * p->in_w + x1) * p->cols;
            const float *r10 = x + ((size_t)y1 * p->in_w + x0) * p->cols;
            const float *r11 = x + ((size_t)y1 * p->in_w + x1) * p->cols;
            for (uint32_t k = 0; k < p->cols; k++) {
                double v00 = r00[k], v01 = r01[k], v10 = r10[k], v11 = r11[k];
                y[((size_t)oy * p->out_w + ox) * p->cols + k] =
                    (float)((1 - ly) * ((1 - lx) * v00 + lx * v01) + ly * ((1 - lx) * v10 + lx * v11));
            }
        }
    }
}

static void cpu_grid_avgpool_f32(const cpu_kernel_call *c) {
    const gpu_params_pool *p = c->params;
    const float *x = c->bindings[0];
    float *y = c->bindings[1];
    uint32_t out_h = p->in_h / p->f, out_w = p->in_w / p->f;
    for (uint32_t oy = 0; oy < out_h; oy++) {
        for (uint32_t ox = 0; ox < out_w; ox++) {
            for (uint32_t k = 0; k < p->cols; k++) {
                double s = 0;
                for (uint32_t dy = 0; dy < p->f; dy++)
                    for (uint32_t dx = 0; dx < p->f; dx++)
                        s += x[(((size_t)oy * p->f + dy) * p->in_w + (size_t)ox * p->f + dx) * p->cols + k];
                y[((size_t)oy * out_w + ox) * p->cols + k] = (float)(s / ((double)p->f * p->f));
            }
        }
    }
}

cpu_kernel_fn cpu_lookup_elementwise(gpu_kernel kernel) {
    switch (kernel) {
    case GPU_KERNEL_ELTWISE_BINARY_F32: return cpu_eltwise_binary_f32;
    case GPU_KERNEL_ELTWISE_ADD_INPLACE_F32: return cpu_eltwise_add_inplace_f32;
    case GPU_KERNEL_ACT_UNARY_F32: return cpu_act_unary_f32;
    case GPU_KERNEL_ACT_SWIGLU_F32: return cpu_act_swiglu_f32;
    case GPU_KERNEL_NORM_LAYER_F32:
    case GPU_KERNEL_NORM_LAYER_SG_F32: return cpu_norm_layer_f32;
    case GPU_KERNEL_NORM_RMS_F32:
    case GPU_KERNEL_NORM_RMS_SG_F32: return cpu_norm_rms_f32;
    case GPU_KERNEL_SOFTMAX_F32:
    case GPU_KERNEL_SOFTMAX_SG_F32: return cpu_softmax_f32;
    case GPU_KERNEL_ROPE_NEOX_F32: return cpu_rope_neox_f32;
    case GPU_KERNEL_ROPE_QKV_F32: return cpu_rope_qkv_f32;
    case GPU_KERNEL_GATHER_ROWS_B32: return cpu_gather_rows_b32;
    case GPU_KERNEL_SCATTER_ROWS_B32: return cpu_scatter_rows_b32;
    case GPU_KERNEL_SCAN_MASK_U32: return cpu_scan_mask_u32;
    case GPU_KERNEL_TOPK_RANK_F32: return cpu_topk_rank_f32;
    case GPU_KERNEL_NORM_L2_F32:
    case GPU_KERNEL_NORM_L2_SG_F32: return cpu_norm_l2_f32;
    case GPU_KERNEL_MERGE_WEIGHTED_F32: return cpu_merge_weighted_f32;
    case GPU_KERNEL_GRID_BILINEAR_F32: return cpu_grid_bilinear_f32;
    case GPU_KERNEL_GRID_AVGPOOL_F32: return cpu_grid_avgpool_f32;
    default: return 0;
    }
}
