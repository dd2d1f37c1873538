/* ops_reduction.c — see ops_reduction.h. */
#include "gpu/ops_reduction.h"

#include <math.h>

#include "core/status.h"
#include "gpu/ops.h"

static uint32_t div_up(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

static uint32_t pow2_floor(uint32_t n) {
    uint32_t p = 1;
    while (p * 2 <= n) p *= 2;
    return p;
}

static gpu_binding or_else(gpu_binding b, gpu_binding fallback) { return b.buffer ? b : fallback; }

vkvlm_status gpu_op_attention_mean_probs_f32(gpu_cmd *cmd, gpu_binding probs, gpu_binding q, gpu_binding k,
                                             gpu_binding pos_q, gpu_binding pos_k, gpu_binding lse,
                                             const gpu_attention_desc *desc, vkvlm_error *err) {
    gpu_attn_mean_part all = {0, desc->q_len, 0, desc->kv_len, 0};
    gpu_binding none = {0};
    return gpu_op_attention_mean_probs_part_f32(cmd, probs, q, k, pos_q, pos_k, lse, none, &all, desc, err);
}

vkvlm_status gpu_op_attention_mean_probs_part_f32(gpu_cmd *cmd, gpu_binding probs, gpu_binding q, gpu_binding k,
                                                  gpu_binding pos_q, gpu_binding pos_k, gpu_binding lse,
                                                  gpu_binding rows, const gpu_attn_mean_part *part,
                                                  const gpu_attention_desc *desc, vkvlm_error *err) {
    const gpu_caps *caps = gpu_device_caps(gpu_cmd_device(cmd));
    if (!desc->q_heads || !desc->kv_heads || desc->q_heads % desc->kv_heads)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "attention mean probs: q_heads %u is not a positive multiple of "
                               "kv_heads %u", desc->q_heads, desc->kv_heads);
    if (!desc->head_dim || desc->head_dim > GPU_ATTN_MAX_HEAD_DIM)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "attention mean probs: head_dim %u outside 1..%u",
                               desc->head_dim, GPU_ATTN_MAX_HEAD_DIM);
    if (!lse.buffer) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "attention mean probs: needs the prefill's lse");
    if (desc->causal && (!pos_q.buffer || !pos_k.buffer))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "attention mean probs: causal needs both position buffers");
    if (!rows.buffer && ((uint64_t)part->row0 + part->nrows > desc->q_len))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "attention mean probs: rows %u..%u outside %u", part->row0,
                               part->row0 + part->nrows, desc->q_len);
    if ((uint64_t)part->col0 + part->ncols > desc->kv_len)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "attention mean probs: keys %u..%u outside %u", part->col0,
                               part->col0 + part->ncols, desc->kv_len);
    if (!desc->q_len || !desc->kv_len || !part->nrows || !part->ncols) return VKVLM_OK;
    if (part->nrows > caps->max_workgroup_count[1])
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "attention mean probs: %u query rows exceed the device's %u "
                               "workgroups along y", part->nrows, caps->max_workgroup_count[1]);
    gpu_params_attention p = {
        .q_len = desc->q_len,
        .kv_len = desc->kv_len,
        .q_heads = desc->q_heads,
        .kv_heads = desc->kv_heads,
        .head_dim = desc->head_dim,
        .kv_row_stride = desc->kv_row_stride ? desc->kv_row_stride : desc->kv_heads * desc->head_dim,
        .kv_head_stride = desc->kv_head_stride ? desc->kv_head_stride : desc->head_dim,
        .causal = desc->causal,
        .scale = desc->scale != 0.0f ? desc->scale : (float)(1.0 / sqrt((double)desc->head_dim)),
        .splits = 1,
    };
    gpu_params_attn_mean pm = {.a = p, .row0 = part->row0, .nrows = part->nrows, .col0 = part->col0,
                               .ncols = part->ncols, .indexed = rows.buffer != NULL,
                               .index_stride = part->index_stride};
    /* a narrow block (one column) gets narrow workgroups */
    uint32_t local = 64 > caps->max_workgroup_invocations ? pow2_floor(caps->max_workgroup_invocations) : 64;
    while (local > 1 && local / 2 >= part->ncols) local /= 2;
    gpu_dispatch_desc d = {.kernel = GPU_KERNEL_REDUCE_ATTN_MEAN_F32,
                           .bindings = {q, k, or_else(pos_q, q), or_else(pos_k, q), lse, probs, or_else(rows, q)},
                           .params = &pm,
                           .params_size = sizeof pm,
                           .spec = {local, p.head_dim},
                           .groups = {div_up(part->ncols, local), part->nrows, 1}};
    return gpu_cmd_dispatch(cmd, &d, err);
}

vkvlm_status gpu_op_ficoco_select_f32(gpu_cmd *cmd, gpu_binding scores, gpu_binding mask, gpu_binding src,
                                      gpu_binding dst, gpu_binding alpha, gpu_binding attn, gpu_binding orig,
                                      const gpu_params_ficoco *p, vkvlm_error *err) {
    const gpu_caps *caps = gpu_device_caps(gpu_cmd_device(cmd));
    if (!p->nv || p->nv > GPU_FICOCO_MAX_TOKENS || p->v0 + p->nv > p->rows)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "ficoco select: %u candidates at row %u of %u (at most %u)", p->nv,
                               p->v0, p->rows, GPU_FICOCO_MAX_TOKENS);
    if (p->r >= p->nv || !p->k || p->k > GPU_FICOCO_MAX_TARGETS || (p->r && p->k > p->nv - p->r))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "ficoco select: r=%u, k=%u do not fit %u candidates", p->r, p->k,
                               p->nv);
    if (p->mode == GPU_FICOCO_LANGUAGE && (!p->nt || p->t0 + p->nt > p->rows))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "ficoco select: text rows %u..%u outside %u rows", p->t0,
                               p->t0 + p->nt, p->rows);
    if (p->mode == GPU_FICOCO_VISION && (p->cls_row >= p->rows || (p->window && !p->grid_w)))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "ficoco select: bad CLS row %u or grid width %u", p->cls_row,
                               p->grid_w);
    if (p->phase > GPU_FICOCO_PHASE_CORRELATE)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "ficoco select: phase %u", p->phase);
    uint32_t local = 256 > caps->max_workgroup_invocations ? pow2_floor(caps->max_workgroup_invocations) : 256;
    /* empty pair lists still need a bound buffer */
    gpu_dispatch_desc d = {.kernel = GPU_KERNEL_REDUCE_FICOCO_SELECT_F32,
                           .bindings = {attn, orig, scores, mask, or_else(src, mask), or_else(dst, mask),
                                        or_else(alpha, mask)},
                           .params = p,
                           .params_size = sizeof *p,
                           .spec = {local},
                           .groups = {1, 1, 1}};
    return gpu_cmd_dispatch(cmd, &d, err);
}
