/* kernels_attention.h — kernel-table rows and parameter structs of the attention group (attention: flash-style prefill with log-sum-exp, decode against a KV cache, FastV score row).
 * Included by gpu/kernels.h only; see there for the row format. */
#ifndef VKVLM_GPU_KERNELS_ATTENTION_H
#define VKVLM_GPU_KERNELS_ATTENTION_H

#include <stdint.h>

/* Largest head_dim the kernels take: the prefill kernel keeps a query row and its accumulator in
 * registers, sized by the D specialization constant. */
#define GPU_ATTN_MAX_HEAD_DIM 256u
/* The prefill kernel's RB specialization constant (query rows per invocation) and the bound on its two private
 * arrays, 2 * RB * head_dim floats (16 KiB: see ops_attention.c for the driver behaviour behind it). */
#define GPU_ATTN_PREFILL_MAX_ROWS 32u
#define GPU_ATTN_PREFILL_PRIVATE_FLOATS 4096u

/* Multi-head attention, f32. Q and out are [q_len, q_heads, head_dim]; K/V element (j, g, d) lies at
 * j*kv_row_stride + g*kv_head_stride + d, so a token-major [capacity, kv_heads, head_dim] or head-major
 * [kv_heads, capacity, head_dim] cache binds as it is. Query head h reads kv head h / (q_heads / kv_heads).
 * Masks: causal 0 lets every query see all kv_len keys; causal 1 lets query i see key j iff
 * pos_k[j] <= pos_q[i] (int32 positions, which may have gaps after pruning). lse is [q_heads, q_len]: the
 * natural log of sum_j exp(scale * q.k) over the visible keys, -inf when none is. One struct serves every
 * kernel of the group; each shader's header says which fields it reads. */
typedef struct gpu_params_attention {
    uint32_t q_len;          /* query rows (tokens) in q, out, pos_q; the row length of lse */
    uint32_t kv_len;         /* keys attended (<= the cache capacity) */
    uint32_t q_heads;        /* query heads, a multiple of kv_heads */
    uint32_t kv_heads;       /* key/value heads */
    uint32_t head_dim;       /* elements per head; equals the shaders' D specialization constant */
    uint32_t kv_row_stride;  /* elements between key j and key j+1 of one head */
    uint32_t kv_head_stride; /* elements between kv head g and g+1 of one key */
    uint32_t causal;         /* 0: bidirectional; 1: causal by position */
    uint32_t has_lse;        /* 0: the lse binding is not written (bind any buffer) */
    float scale;             /* score scale, usually 1/sqrt(head_dim) */
    uint32_t row;            /* score row: the query row whose probabilities are averaged */
    uint32_t splits;         /* decode: workgroups along the key axis (1: no partials, final output) */
    uint32_t chunk;          /* decode: keys per split, ceil(kv_len / splits) */
} gpu_params_attention;

/* X(id, name, binding count, written-bindings mask, params struct) */
#define GPU_KERNELS_ATTENTION(X)                                                                            \
    /* q, k, v, pos_q, pos_k, out, lse */                                                                   \
    X(GPU_KERNEL_ATTN_PREFILL_F32, "attn_prefill_f32", 7, 0x60, gpu_params_attention)                       \
    /* q, k, v, pos_q, pos_k, out, lse, partial: workgroup-memory reductions */                             \
    X(GPU_KERNEL_ATTN_DECODE_F32, "attn_decode_f32", 8, 0xE0, gpu_params_attention)                         \
    /* the same with subgroup reductions */                                                                 \
    X(GPU_KERNEL_ATTN_DECODE_SG_F32, "attn_decode_sg_f32", 8, 0xE0, gpu_params_attention)                   \
    /* the same, one subgroup per kv head and key chunk, no barriers (CPU drivers; grid x = kv_heads) */     \
    X(GPU_KERNEL_ATTN_DECODE_LANES_F32, "attn_decode_lanes_f32", 8, 0xE0, gpu_params_attention)             \
    /* partial, out, lse */                                                                                 \
    X(GPU_KERNEL_ATTN_DECODE_COMBINE_F32, "attn_decode_combine_f32", 3, 0x6, gpu_params_attention)          \
    /* q, k, pos_q, pos_k, lse, scores */                                                                   \
    X(GPU_KERNEL_ATTN_SCORE_ROW_F32, "attn_score_row_f32", 6, 0x20, gpu_params_attention)

#endif
