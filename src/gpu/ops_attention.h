/* ops_attention.h — op wrappers of the attention kernel group (see gpu/ops.h for the conventions).
 *
 * Every op takes Q as the q projection's output [q_len, q_heads, head_dim] (f32, row-major), K and V as
 * views of the k/v projections or of a KV cache (desc->kv_row_stride / kv_head_stride say where key j of
 * kv head g lies), and writes out [q_len, q_heads, head_dim]. GQA: query head h reads kv head
 * h / (q_heads / kv_heads). Causal masking is by position: query i sees key j iff pos_k[j] <= pos_q[i]
 * (int32 buffers; positions may have gaps, as after FastV pruning); a query that sees no key gets zeros and
 * lse -inf. lse [q_heads, q_len] is the natural log of sum_j exp(scale * q.k) over the visible keys. */
#ifndef VKVLM_GPU_OPS_ATTENTION_H
#define VKVLM_GPU_OPS_ATTENTION_H

#include <stdbool.h>

#include "gpu/gpu.h"

/* The shape of one attention call.
 * The default configuration is (zero fields):
 *   kv_row_stride   kv_heads * head_dim (token-major [tokens, kv_heads, head_dim])
 *   kv_head_stride  head_dim
 *   causal          false (bidirectional; the position buffers are not read and may be NULL)
 *   scale           1 / sqrt(head_dim) */
typedef struct gpu_attention_desc {
    uint32_t q_len;          /* query rows (tokens) */
    uint32_t kv_len;         /* keys attended, at most the cache's capacity */
    uint32_t q_heads;        /* a multiple of kv_heads */
    uint32_t kv_heads;       /* >= 1 */
    uint32_t head_dim;       /* 1..GPU_ATTN_MAX_HEAD_DIM */
    uint32_t kv_row_stride;  /* elements between key j and key j+1 of a head; 0: default */
    uint32_t kv_head_stride; /* elements between kv heads of a key; 0: default */
    bool causal;             /* true: causal by position */
    float scale;             /* score scale; 0: default */
} gpu_attention_desc;

/* How the decode kernel reduces across its workgroup. */
typedef enum gpu_attention_reduce {
    GPU_ATTN_REDUCE_AUTO = 0,  /* LANES on CPU Vulkan drivers that allow it, else subgroup arithmetic when the caps
                                  have it, else workgroup memory */
    GPU_ATTN_REDUCE_SUBGROUP,  /* subgroupMax / subgroupAdd (needs GPU_SUBGROUP_BASIC | ARITHMETIC) */
    GPU_ATTN_REDUCE_SHARED,    /* a workgroup-memory tree */
    GPU_ATTN_REDUCE_LANES,     /* one subgroup per kv head and key chunk, each lane its own keys for all the query
                                  heads of the group, one subgroup reduction at the end and no barrier (Vulkan;
                                  subgroup arithmetic; a fixed subgroup size; (q_heads / kv_heads) * head_dim
                                  within GPU_ATTN_PREFILL_PRIVATE_FLOATS / 2) */
} gpu_attention_reduce;

/* Prefill / encoder attention (flash-style, one pass over the keys):
 * out (q_len, q_heads, head_dim) = softmax(scale * Q K^T + mask) V, lse (q_heads, q_len).
 * lse.buffer NULL: no lse. pos_q (q_len) / pos_k (kv_len): int32, read only when desc->causal. */
vkvlm_status gpu_op_attention_prefill_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding lse, gpu_binding q, gpu_binding k,
                                          gpu_binding v, gpu_binding pos_q, gpu_binding pos_k,
                                          const gpu_attention_desc *desc, vkvlm_error *err);

/* The same with the rows each invocation computes fixed (tests and benchmarks; 0: the default, which is 1
 * except on CPU Vulkan drivers). At most GPU_ATTN_PREFILL_MAX_ROWS, and 2 * rows * head_dim at most
 * GPU_ATTN_PREFILL_PRIVATE_FLOATS; more than 1 on Vulkan only (VKVLM_ERR_UNSUPPORTED elsewhere). */
vkvlm_status gpu_op_attention_prefill_f32_with(gpu_cmd *cmd, gpu_binding out, gpu_binding lse, gpu_binding q,
                                               gpu_binding k, gpu_binding v, gpu_binding pos_q, gpu_binding pos_k,
                                               const gpu_attention_desc *desc, uint32_t rows_per_invocation,
                                               vkvlm_error *err);

/* Decode attention: the same contract as prefill, built for few query rows (q_len of 1 to a few) against a
 * long KV cache; the key axis is split over workgroups, whose partial results (partial, f32) a second
 * dispatch merges. partial.buffer NULL: no split (one workgroup per row and head). */
vkvlm_status gpu_op_attention_decode_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding lse, gpu_binding partial,
                                         gpu_binding q, gpu_binding k, gpu_binding v, gpu_binding pos_q,
                                         gpu_binding pos_k, const gpu_attention_desc *desc, vkvlm_error *err);
/* Whether the decode op can reduce this way on a device with these caps, for this shape. */
bool gpu_op_attention_decode_supported(const gpu_caps *caps, const gpu_attention_desc *desc,
                                       gpu_attention_reduce reduce);
/* Bytes of the partial buffer gpu_op_attention_decode_f32 uses for this shape (0: it does not split). */
uint64_t gpu_op_attention_decode_partial_bytes(const gpu_attention_desc *desc);
/* The same with the variant fixed (for tests and benchmarks): reduce as given, splits workgroups along the
 * key axis (0: the default choice; > 1 needs partial of (q_len * q_heads * splits * (head_dim + 2)) floats). */
vkvlm_status gpu_op_attention_decode_f32_with(gpu_cmd *cmd, gpu_binding out, gpu_binding lse, gpu_binding partial,
                                              gpu_binding q, gpu_binding k, gpu_binding v, gpu_binding pos_q,
                                              gpu_binding pos_k, const gpu_attention_desc *desc,
                                              gpu_attention_reduce reduce, uint32_t splits, vkvlm_error *err);

/* FastV's score row: scores (kv_len) = the post-softmax attention of query row `row` to every key, averaged
 * over the q_heads query heads (0 for masked keys). lse (q_heads, q_len) is the prefill op's lse for the
 * same q, k, desc, so the row costs one pass of q_heads * kv_len * head_dim multiply-adds. */
vkvlm_status gpu_op_attention_score_row_f32(gpu_cmd *cmd, gpu_binding scores, gpu_binding q, gpu_binding k,
                                            gpu_binding pos_q, gpu_binding pos_k, gpu_binding lse, uint32_t row,
                                            const gpu_attention_desc *desc, vkvlm_error *err);

#endif
