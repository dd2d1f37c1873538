/* kernels_reduction.h — kernel-table rows and parameter structs of the token-reduction group (FiCoCo's
 * filter / correlate / compress steps and whatever later methods need beyond the shared kernels).
 * Included by gpu/kernels.h only; see there for the row format. */
#ifndef VKVLM_GPU_KERNELS_REDUCTION_H
#define VKVLM_GPU_KERNELS_REDUCTION_H

#include <stdint.h>

#include "gpu/kernels_attention.h"

/* Most targets per discarded token reduce_ficoco_select_f32 takes (its per-invocation top-k list). */
#define GPU_FICOCO_MAX_TARGETS 8u
/* Most candidate (visual) tokens it takes: its workgroup-memory arrays. */
#define GPU_FICOCO_MAX_TOKENS 1024u

/* The mode field of gpu_params_ficoco. */
enum { GPU_FICOCO_VISION = 0, GPU_FICOCO_LANGUAGE = 1 };
/* Its phase field: both steps, or one of them (FILTER leaves the discard set in mask and src[d*k], which
 * CORRELATE reads back), so the attention rows CORRELATE needs can be computed in between. */
enum { GPU_FICOCO_PHASE_ALL = 0, GPU_FICOCO_PHASE_FILTER = 1, GPU_FICOCO_PHASE_CORRELATE = 2 };

/* reduce_attn_mean_f32: the attention parameters, then the block computed: rows row0 .. row0+nrows-1 (or,
 * indexed, rows[y * index_stride] for y < nrows), keys col0 .. col0+ncols-1. */
typedef struct gpu_params_attn_mean {
    gpu_params_attention a;
    uint32_t row0, nrows, col0, ncols;
    uint32_t indexed;      /* 1: the query rows come from the rows binding */
    uint32_t index_stride; /* int32 words between consecutive row indices */
} gpu_params_attn_mean;

/* FiCoCo's filter + correlate on the head-mean attention A [rows, rows] of one layer (row = query):
 * candidates are rows v0 .. v0+nv-1. Entries read: VISION column and row cls_row (filter), the discarded
 * rows over the candidates (correlate); LANGUAGE the image rows over the prefix columns 0 .. v0-1 and the text
 * rows over the candidates (filter), the discarded rows over the candidates (correlate). The row sums over the
 * candidates come from 1 minus the rest of the row (softmax rows sum to 1 over the keys they see). */
typedef struct gpu_params_ficoco {
    uint32_t rows;     /* rows and columns of A */
    uint32_t v0;       /* first candidate row */
    uint32_t nv;       /* candidate rows, 1..GPU_FICOCO_MAX_TOKENS */
    uint32_t t0;       /* LANGUAGE: first row of the text whose received attention counts */
    uint32_t nt;       /* LANGUAGE: those text rows (>= 1) */
    uint32_t cls_row;  /* VISION: the [CLS] row */
    uint32_t r;        /* tokens discarded, < nv */
    uint32_t k;        /* targets per discarded token, 1..GPU_FICOCO_MAX_TARGETS, <= nv - r */
    uint32_t mode;     /* GPU_FICOCO_* */
    uint32_t grid_w;   /* VISION: columns of the original patch grid */
    uint32_t window;   /* VISION: local-penalty window side (0: no penalty) */
    float w_score;     /* lambda (VISION) or beta (LANGUAGE): weight of the row-mean term */
    float w_corr;      /* gamma (LANGUAGE): weight of the direct attention in the correlation */
    float penalty;     /* VISION: factor applied to each window's maximum score */
    uint32_t phase;    /* GPU_FICOCO_PHASE_* */
} gpu_params_ficoco;

/* X(id, name, binding count, written-bindings mask, params struct) */
#define GPU_KERNELS_REDUCTION(X)                                                                            \
    /* q, k, pos_q, pos_k, lse, probs, rows: a block of the head-mean post-softmax attention */             \
    X(GPU_KERNEL_REDUCE_ATTN_MEAN_F32, "reduce_attn_mean_f32", 7, 0x20, gpu_params_attn_mean)               \
    /* attn, orig, scores, mask, src, dst, alpha */                                                         \
    X(GPU_KERNEL_REDUCE_FICOCO_SELECT_F32, "reduce_ficoco_select_f32", 7, 0x7C, gpu_params_ficoco)

#endif
