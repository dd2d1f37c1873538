/* op_check_attention.c — op-check cases of the attention kernel group (see op_check_internal.h).
 *
 * Shapes follow the models: head_dim 16 / 64 / 80 (SigLIP's, an odd multiple of 16) / 128 (Llama), heads
 * q/kv 4/4, 4/2, 4/1 (GQA) and 9/3; tokens 1, 5, 16, 33 and 65 (one past the 64-row prefill workgroup);
 * kv_len off the 16-key prefill block and the 64-key decode tile; KV caches with capacity > kv_len, both
 * token-major with padded rows and head-major; gapped positions as after FastV pruning; a query row that
 * sees no key (position -1). Inputs are uniform in [-2, 2) so scores spread over a few units and the softmax
 * is far from flat.
 *
 * Tolerances: the shaders accumulate in f32 (dot products of <= 128 terms, sums of <= a few hundred
 * probabilities), the references in double. Relative errors stay around 1e-7 per element, so NMSE lands
 * near 1e-13; 1e-9 (the f32 bound used across the project) leaves four orders of magnitude, and the
 * per-element bound 1e-5 * (1 + |ref|) catches a single wrong row that NMSE would average away. lse is a
 * log of a sum (values of a few units), checked with the same bounds. */
#include <stdio.h>

#include "gpu/op_check_internal.h"

#include <stdlib.h>

/* Layouts and masks of the cases, by mode number:
 *   0 bidirectional, token-major K/V;              1 causal, positions 0..n-1;
 *   2 causal, gapped positions (0,1,2,7,8,9,20,..);3 causal, gapped, head-major cache of capacity kv_len + 5,
 *                                                    and query row 0 at position -1 (sees no key);
 *   4 causal, token-major cache of capacity kv_len + 3 with rows padded by 8 floats;
 *   5 as 4 with gapped positions.
 * Causal queries take the positions of the last q_len keys (self-attention when q_len == kv_len). */
typedef struct attn_case {
    gpu_attention_desc desc;
    uint32_t kv_floats;  /* floats of the K (and V) tensor */
    int32_t *pos_q;      /* [q_len] */
    int32_t *pos_k;      /* [kv_len] */
    check_tensor t[9];   /* q, k, v, pos_q, pos_k, out, lse, then per check */
    int tensors;         /* made so far */
} attn_case;

static int32_t gapped(uint32_t j) { return (int32_t)(j + 4 * (j >= 3) + 10 * (j >= 6) + 3 * (j >= 12)); }

static void attn_case_free(attn_case *c) {
    for (int i = 0; i < c->tensors; i++) check_tensor_free(&c->t[i]);
    free(c->pos_q);
    free(c->pos_k);
}

/* Writes int32 values into a tensor made with zeros, on both sides. */
static bool fill_i32(check_env *e, const check_tensor *t, const int32_t *values) {
    for (int s = 0; s < 2; s++) {
        vkvlm_error err = {0};
        uint64_t offset = OP_CHECK_GUARD_FLOATS * sizeof(float);
        if (gpu_buffer_write(t->buf[s], offset, values, t->count * sizeof *values, &err) != VKVLM_OK)
            return op_check_fail(e, &err, "positions");
    }
    return true;
}

static bool make(check_env *e, attn_case *c, uint32_t count, bool random) {
    bool ok = check_tensor_make(e, &c->t[c->tensors], count ? count : 1, random, -2, 2);
    c->tensors++;
    return ok;
}

/* Builds the desc, positions and tensors q, k, v, pos_q, pos_k, out, lse (t[0..6]) for a mode. */
static bool attn_case_make(check_env *e, attn_case *c, uint32_t q_len, uint32_t kv_len, uint32_t head_dim,
                           uint32_t q_heads, uint32_t kv_heads, uint32_t mode) {
    *c = (attn_case){.desc = {.q_len = q_len, .kv_len = kv_len, .q_heads = q_heads, .kv_heads = kv_heads,
                              .head_dim = head_dim, .causal = mode != 0}};
    bool gap = mode == 2 || mode == 3 || mode == 5;
    uint32_t row = kv_heads * head_dim;
    if (mode == 3) {
        c->desc.kv_row_stride = head_dim;
        c->desc.kv_head_stride = (kv_len + 5) * head_dim;
        c->kv_floats = kv_heads * (kv_len + 5) * head_dim;
    } else if (mode >= 4) {
        c->desc.kv_row_stride = row + 8;
        c->kv_floats = (kv_len + 3) * (row + 8);
    } else {
        c->kv_floats = kv_len * row;
    }
    c->pos_q = malloc(q_len * sizeof *c->pos_q);
    c->pos_k = malloc((kv_len ? kv_len : 1) * sizeof *c->pos_k);
    if (!c->pos_q || !c->pos_k) {
        vkvlm_error err = {VKVLM_ERR_OUT_OF_MEMORY, "out of host memory"};
        return op_check_fail(e, &err, "positions");
    }
    for (uint32_t j = 0; j < kv_len; j++) c->pos_k[j] = gap ? gapped(j) : (int32_t)j;
    for (uint32_t i = 0; i < q_len; i++) c->pos_q[i] = c->pos_k[kv_len - q_len + i];
    if (mode == 3) c->pos_q[0] = -1;
    return make(e, c, q_len * q_heads * head_dim, true) && make(e, c, c->kv_floats, true) &&
           make(e, c, c->kv_floats, true) && make(e, c, q_len, false) && make(e, c, kv_len, false) &&
           fill_i32(e, &c->t[3], c->pos_q) && fill_i32(e, &c->t[4], c->pos_k) &&
           make(e, c, q_len * q_heads * head_dim, false) && make(e, c, q_heads * q_len, false);
}

/* The check_run_both shape arrays of this file carry a pointer to the case in front of the real shape. */
typedef struct attn_run {
    const attn_case *c;
    uint32_t reduce; /* decode: gpu_attention_reduce */
    uint32_t splits; /* decode: 0 default, else forced */
    uint32_t row;    /* score row */
} attn_run;

static const attn_run *run_of(const uint32_t *shape) { return (const attn_run *)(const void *)shape; }

/* ---------------------------------------------------------------- prefill */

static vkvlm_status record_prefill(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                   vkvlm_error *err) {
    const attn_run *r = run_of(shape);
    return gpu_op_attention_prefill_f32_with(cmd, check_bind(&t[5], s), check_bind(&t[6], s), check_bind(&t[0], s),
                                             check_bind(&t[1], s), check_bind(&t[2], s), check_bind(&t[3], s),
                                             check_bind(&t[4], s), &r->c->desc, s ? 0 : r->splits, err);
}

/* shape: tokens, kv_len, head_dim, q_heads, kv_heads, mode; rows per invocation forced to rb (0: default) */
static bool check_prefill_rows(check_env *e, const uint32_t *shape, uint32_t rb) {
    const gpu_caps *caps = gpu_device_caps(e->side[0]);
    if (rb > 1 && caps->backend != GPU_BACKEND_VULKAN) {
        e->result->outcome = OP_CHECK_SKIP;
        snprintf(e->result->detail, sizeof e->result->detail, "several rows per invocation are Vulkan-only");
        return true;
    }
    attn_case c;
    bool ok = attn_case_make(e, &c, shape[0], shape[1], shape[2], shape[3], shape[4], shape[5]);
    attn_run run = {.c = &c, .splits = rb}; /* splits carries the prefill's rows per invocation */
    ok = ok && check_run_both(e, record_prefill, c.t, (const uint32_t *)(const void *)&run) &&
         check_tensor_compare(e, &c.t[5], 1e-9, 1e-5) && check_tensor_compare(e, &c.t[6], 1e-9, 1e-5);
    attn_case_free(&c);
    return ok;
}

static bool check_prefill(check_env *e, const uint32_t *shape) { return check_prefill_rows(e, shape, 0); }
/* what GPUs run (one row per invocation), and an odd count whose last invocation holds clamped rows */
static bool check_prefill_rb1(check_env *e, const uint32_t *shape) { return check_prefill_rows(e, shape, 1); }
static bool check_prefill_rb3(check_env *e, const uint32_t *shape) { return check_prefill_rows(e, shape, 3); }

/* ---------------------------------------------------------------- decode */

static vkvlm_status record_decode(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                  vkvlm_error *err) {
    const attn_run *r = run_of(shape);
    gpu_binding partial = r->c->tensors > 7 ? check_bind(&t[7], s) : (gpu_binding){0};
    return gpu_op_attention_decode_f32_with(cmd, check_bind(&t[5], s), check_bind(&t[6], s), partial,
                                            check_bind(&t[0], s), check_bind(&t[1], s), check_bind(&t[2], s),
                                            check_bind(&t[3], s), check_bind(&t[4], s), &r->c->desc,
                                            s ? GPU_ATTN_REDUCE_AUTO : (gpu_attention_reduce)r->reduce, r->splits, err);
}

/* shape: q_len, kv_len, head_dim, q_heads, kv_heads, splits (0: the op's default with a partial buffer).
 * A KV cache: mode 3 (head-major, query row 0 masked) for several query rows, mode 5 for one. Every
 * reduction the device under test supports runs (subgroup, shared, lanes); the reference side takes its default
 * (the CPU reference serves both kernels). */
static bool check_decode(check_env *e, const uint32_t *shape) {
    attn_case c;
    bool ok = attn_case_make(e, &c, shape[0], shape[1], shape[2], shape[3], shape[4], shape[0] > 1 ? 3 : 5);
    uint32_t splits = shape[5];
    uint64_t partial_floats = splits ? (uint64_t)shape[0] * shape[3] * splits * (shape[2] + 2)
                                     : gpu_op_attention_decode_partial_bytes(&c.desc) / sizeof(float);
    if (ok && splits != 1 && partial_floats) ok = make(e, &c, (uint32_t)partial_floats, false);
    const gpu_caps *caps = gpu_device_caps(e->side[0]);
    for (uint32_t reduce = GPU_ATTN_REDUCE_SUBGROUP; ok && reduce <= GPU_ATTN_REDUCE_LANES; reduce++) {
        if (!gpu_op_attention_decode_supported(caps, &c.desc, (gpu_attention_reduce)reduce)) continue;
        attn_run run = {.c = &c, .reduce = reduce, .splits = splits};
        ok = check_run_both(e, record_decode, c.t, (const uint32_t *)(const void *)&run) &&
             check_tensor_compare(e, &c.t[5], 1e-9, 1e-5) && check_tensor_compare(e, &c.t[6], 1e-9, 1e-5);
    }
    attn_case_free(&c);
    return ok;
}

/* ---------------------------------------------------------------- score row */

static vkvlm_status record_score_row(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                     vkvlm_error *err) {
    const attn_run *r = run_of(shape);
    vkvlm_status st = record_prefill(cmd, s, t, shape, err);
    if (st != VKVLM_OK) return st;
    return gpu_op_attention_score_row_f32(cmd, check_bind(&t[7], s), check_bind(&t[0], s), check_bind(&t[1], s),
                                          check_bind(&t[3], s), check_bind(&t[4], s), check_bind(&t[6], s), r->row,
                                          &r->c->desc, err);
}

/* shape: tokens, head_dim, q_heads, kv_heads, row, mode (self-attention: kv_len = tokens). Each side runs
 * prefill for lse, then the score row from its own lse. */
static bool check_score_row(check_env *e, const uint32_t *shape) {
    attn_case c;
    bool ok = attn_case_make(e, &c, shape[0], shape[0], shape[1], shape[2], shape[3], shape[5]) &&
              make(e, &c, shape[0], false);
    attn_run run = {.c = &c, .row = shape[4]};
    ok = ok && check_run_both(e, record_score_row, c.t, (const uint32_t *)(const void *)&run) &&
         check_tensor_compare(e, &c.t[7], 1e-9, 1e-5);
    attn_case_free(&c);
    return ok;
}

static const op_case attention_cases[] = {
    {"attn_prefill_f32", "tokens,kv,d,qh,kvh,mode", check_prefill, {1, 1, 16, 4, 4, 0}},
    {"attn_prefill_f32", "tokens,kv,d,qh,kvh,mode", check_prefill, {1, 1, 16, 4, 1, 1}},
    {"attn_prefill_f32", "tokens,kv,d,qh,kvh,mode", check_prefill, {5, 5, 64, 4, 2, 1}},
    {"attn_prefill_f32", "tokens,kv,d,qh,kvh,mode", check_prefill, {16, 16, 80, 4, 1, 2}},
    {"attn_prefill_f32", "tokens,kv,d,qh,kvh,mode", check_prefill, {16, 16, 64, 9, 3, 0}},
    {"attn_prefill_f32", "tokens,kv,d,qh,kvh,mode", check_prefill, {33, 33, 80, 9, 3, 2}},
    {"attn_prefill_f32", "tokens,kv,d,qh,kvh,mode", check_prefill, {33, 33, 16, 4, 4, 0}},
    {"attn_prefill_f32", "tokens,kv,d,qh,kvh,mode", check_prefill, {65, 65, 16, 4, 2, 1}},
    {"attn_prefill_f32", "tokens,kv,d,qh,kvh,mode", check_prefill, {17, 17, 128, 4, 2, 2}},
    {"attn_prefill_f32", "tokens,kv,d,qh,kvh,mode", check_prefill, {5, 21, 64, 4, 2, 3}},
    {"attn_prefill_f32", "tokens,kv,d,qh,kvh,mode", check_prefill, {1, 37, 80, 9, 3, 4}},
    {"attn_prefill_f32", "tokens,kv,d,qh,kvh,mode", check_prefill, {16, 50, 16, 4, 1, 5}},
    {"attn_prefill_f32", "tokens,kv,d,qh,kvh,mode", check_prefill, {100, 100, 64, 9, 3, 1}},
    {"attn_prefill_rb1_f32", "tokens,kv,d,qh,kvh,mode", check_prefill_rb1, {33, 33, 80, 9, 3, 2}},
    {"attn_prefill_rb1_f32", "tokens,kv,d,qh,kvh,mode", check_prefill_rb1, {16, 50, 16, 4, 1, 5}},
    {"attn_prefill_rb3_f32", "tokens,kv,d,qh,kvh,mode", check_prefill_rb3, {17, 17, 128, 4, 2, 2}},
    {"attn_prefill_rb3_f32", "tokens,kv,d,qh,kvh,mode", check_prefill_rb3, {65, 65, 16, 4, 2, 1}},
    {"attn_decode_f32", "q,kv,d,qh,kvh,splits", check_decode, {1, 1, 64, 4, 4, 1}},
    {"attn_decode_f32", "q,kv,d,qh,kvh,splits", check_decode, {1, 33, 80, 9, 3, 1}},
    {"attn_decode_f32", "q,kv,d,qh,kvh,splits", check_decode, {1, 100, 64, 4, 1, 3}},
    {"attn_decode_f32", "q,kv,d,qh,kvh,splits", check_decode, {2, 300, 16, 4, 2, 0}},
    {"attn_decode_f32", "q,kv,d,qh,kvh,splits", check_decode, {1, 65, 128, 4, 2, 7}},
    {"attn_decode_f32", "q,kv,d,qh,kvh,splits", check_decode, {3, 16, 80, 4, 4, 40}},
    {"attn_score_row_f32", "tokens,d,qh,kvh,row,mode", check_score_row, {1, 16, 4, 1, 0, 1}},
    {"attn_score_row_f32", "tokens,d,qh,kvh,row,mode", check_score_row, {5, 16, 4, 4, 4, 0}},
    {"attn_score_row_f32", "tokens,d,qh,kvh,row,mode", check_score_row, {16, 64, 4, 2, 15, 2}},
    {"attn_score_row_f32", "tokens,d,qh,kvh,row,mode", check_score_row, {33, 80, 9, 3, 20, 2}},
};

const op_case *op_check_cases_attention(int *count) {
    *count = (int)(sizeof attention_cases / sizeof attention_cases[0]);
    return attention_cases;
}
