/* fastv.c — FastV at prefill, following METHODS.md's binding decisions:
 *
 *   scores s_j = (1/H) Σ_h softmax(q_{L-1} · k_j / √d_h)   for image tokens j, at layer K-1, last prompt row
 *   keep      = top round(N·(1−R)) of s (ties to the lower index), in original order; text always kept
 *   from layer K on: hidden states and positions compacted to the kept rows; kept tokens keep their RoPE
 *   positions; layers ≥ K cache only the kept rows; decode continues at position L + t.
 *
 * The score row comes from a one-row kernel normalised by the log-sum-exp that layer K-1's fused attention
 * wrote (no attention matrix is formed). Everything stays on the device inside the prefill command: the image
 * tokens' scores gathered by position (they may form several runs: tiles, several images), top-k, the
 * keep-mask over the sequence (1, with the top-k mask scattered to the image positions), its prefix sum,
 * and two row gathers. */
#include "reduce/fastv.h"

#include <math.h>
#include <stdlib.h>

#include "core/status.h"

uint32_t fastv_keep_count(uint32_t image_tokens, double r) {
    double keep = floor(image_tokens * (1.0 - r) + 0.5);
    if (keep < 0) keep = 0;
    if (keep > image_tokens) keep = image_tokens;
    return (uint32_t)keep;
}

static gpu_binding span(gpu_buffer *buf, uint64_t first, uint64_t count, uint64_t elem) {
    return (gpu_binding){buf, first * elem, count * elem};
}

vkvlm_status fastv_layer_input(reduce_state *s, const reduce_item *item, llama_model *m, gpu_cmd *cmd, int layer,
                               uint32_t *rows, vkvlm_error *err) {
    if (layer != item->fastv_k || s->image_tokens == 0 || s->applied) return VKVLM_OK;
    const vkvlm_config_text *c = &m->cfg;
    llama_state *ls = &m->s;
    uint32_t L = *rows, N = s->image_tokens, d = (uint32_t)c->hidden_size;
    uint32_t keep = fastv_keep_count(N, item->fastv_r), kept_rows = L - N + keep;
    if (L != s->prompt_len)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "fastv: the prompt (%u tokens) must fit one prefill chunk (%u rows)",
                               s->prompt_len, ls->max_rows);
    llama_kv_layer *kv = &ls->kv[layer - 1];
    gpu_attention_desc a = {.q_len = L, .kv_len = kv->len, .q_heads = (uint32_t)c->num_attention_heads,
                            .kv_heads = (uint32_t)c->num_key_value_heads, .head_dim = (uint32_t)c->head_dim,
                            .causal = true};
    uint32_t kvd = (uint32_t)(c->num_key_value_heads * c->head_dim), qd = (uint32_t)(c->num_attention_heads * c->head_dim);

    /* layer K-1's attention of the last prompt row, averaged over heads, from its q, k and log-sum-exp */
    vkvlm_status st = gpu_op_attention_score_row_f32(cmd, span(s->scores, 0, kv->len, 4), span(ls->q_rot, 0, L, qd * 4ull),
                                                     span(kv->k, 0, kv->len, kvd * 4ull), span(ls->pos, 0, L, 4),
                                                     span(kv->pos, 0, kv->len, 4), reduce_llm_lse(s, layer - 1, L), L - 1,
                                                     &a, err);
    /* the image tokens' scores, top-k among them; the keep-mask over the sequence is 1 for text and the top-k
     * mask at the image positions */
    gpu_binding image_pos = span(s->image_pos, 0, N, 4), image_scores = span(s->image_scores, 0, N, 4);
    if (st == VKVLM_OK) st = gpu_op_gather_rows(cmd, image_scores, span(s->scores, 0, L, 4), image_pos, N, 1, L, err);
    if (st == VKVLM_OK)
        st = gpu_op_topk_f32(cmd, span(s->topk_kept, 0, N, 4), span(s->topk_mask, 0, N, 4), span(s->topk_offsets, 0, N + 1, 4),
                             image_scores, 1, N, keep, true, err);
    if (st == VKVLM_OK) {
        uint32_t *ones = malloc((size_t)L * sizeof *ones);
        if (!ones) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "fastv: out of host memory");
        for (uint32_t i = 0; i < L; i++) ones[i] = 1;
        /* host write now, device reads later in this command: nothing earlier in the command writes mask */
        st = gpu_buffer_write(s->mask, 0, ones, (uint64_t)L * 4, err);
        free(ones);
    }
    if (st == VKVLM_OK) st = gpu_op_scatter_rows(cmd, span(s->mask, 0, L, 4), span(s->topk_mask, 0, N, 4), image_pos, N, 1, L, err);
    if (st == VKVLM_OK) st = gpu_op_scan_mask(cmd, span(s->offsets, 0, L + 1, 4), span(s->kept, 0, L, 4), span(s->mask, 0, L, 4), 1, L, err);
    /* compact the hidden states and positions to the kept rows */
    if (st == VKVLM_OK)
        st = gpu_op_gather_rows(cmd, span(s->x2, 0, kept_rows, d * 4ull), span(ls->x, 0, L, d * 4ull), span(s->kept, 0, kept_rows, 4),
                                kept_rows, d, L, err);
    if (st == VKVLM_OK)
        st = gpu_op_gather_rows(cmd, span(s->pos2, 0, kept_rows, 4), span(ls->pos, 0, L, 4), span(s->kept, 0, kept_rows, 4),
                                kept_rows, 1, L, err);
    if (st == VKVLM_OK) st = gpu_cmd_copy(cmd, ls->x, 0, s->x2, 0, (uint64_t)kept_rows * d * 4, err);
    if (st == VKVLM_OK) st = gpu_cmd_copy(cmd, ls->pos, 0, s->pos2, 0, (uint64_t)kept_rows * 4, err);
    if (st != VKVLM_OK) return st;
    s->applied = true;
    s->fastv.layer = layer;
    s->fastv.image_tokens = N;
    s->fastv.kept_count = kept_rows;
    *rows = kept_rows;
    return VKVLM_OK;
}
