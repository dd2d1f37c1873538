/* ops_reduction.h — op wrappers of the token-reduction kernel group (see gpu/ops.h for the conventions). */
#ifndef VKVLM_GPU_OPS_REDUCTION_H
#define VKVLM_GPU_OPS_REDUCTION_H

#include "gpu/gpu.h"
#include "gpu/ops_attention.h"

/* probs (q_len, kv_len) = the post-softmax attention of every query row to every key, averaged over the
 * q_heads query heads (0 for masked keys). lse (q_heads, q_len) is the prefill op's lse for the same q, k and
 * desc: the fused attention stays fused, and this costs one more pass of q_len * kv_len * q_heads * head_dim. */
vkvlm_status gpu_op_attention_mean_probs_f32(gpu_cmd *cmd, gpu_binding probs, gpu_binding q, gpu_binding k,
                                             gpu_binding pos_q, gpu_binding pos_k, gpu_binding lse,
                                             const gpu_attention_desc *desc, vkvlm_error *err);

/* The block of rows part->row0 .. +nrows (or, with rows bound, the rows rows[y * part->index_stride], y < nrows)
 * and keys part->col0 .. +ncols of the same matrix, written into probs' full (q_len, kv_len) layout; the other
 * entries are left as they are. Costs nrows * ncols * q_heads * head_dim. */
typedef struct gpu_attn_mean_part {
    uint32_t row0, nrows, col0, ncols, index_stride;
} gpu_attn_mean_part;
vkvlm_status gpu_op_attention_mean_probs_part_f32(gpu_cmd *cmd, gpu_binding probs, gpu_binding q, gpu_binding k,
                                                  gpu_binding pos_q, gpu_binding pos_k, gpu_binding lse,
                                                  gpu_binding rows, const gpu_attn_mean_part *part,
                                                  const gpu_attention_desc *desc, vkvlm_error *err);

/* FiCoCo's filter + correlate on attn (p->rows, p->rows) (gpu/kernels_reduction.h gives the formulas and the
 * entries read; p->phase runs one step of the two):
 * scores (nv) the (penalised) scores the cut was made on; mask (rows) u32 0 for the discarded rows, else 1;
 * src, dst (r*k) int32 and alpha (r*k) f32 the merge pairs, discarded rows ascending, best target first, in the
 * order gpu_op_merge_weighted_f32 wants. orig (rows) int32: VISION's original patch index per row (any int32
 * buffer for LANGUAGE). One workgroup: nv <= GPU_FICOCO_MAX_TOKENS. */
vkvlm_status gpu_op_ficoco_select_f32(gpu_cmd *cmd, gpu_binding scores, gpu_binding mask, gpu_binding src,
                                      gpu_binding dst, gpu_binding alpha, gpu_binding attn, gpu_binding orig,
                                      const gpu_params_ficoco *p, vkvlm_error *err);

#endif
