/* ficoco.c — FiCoCo-V and FiCoCo-L at prefill, following METHODS.md's binding decisions (section 2) and the
 * choices golden/README.md spells out:
 *
 *   A         = the layer's post-softmax attention averaged over query heads (normalised by the fused
 *               attention's log-sum-exp, so the attention itself stays fused), computed only where the selection
 *               reads it: V column and row CLS, L the image rows over the prefix columns and the text rows
 *               over the image columns; then (after the filter) the discarded rows over the candidates
 *   filter    V: s_i = λ·mean_j A[i,j] (present patches) − (1−λ)·A[CLS,i], each 2×2 window's maximum ×2
 *             L: s_i = β·mean_{j∈V} A[i,j] − (1−β)·mean_{k∈text after the image} A[k,i]
 *             discard the r largest (ties to the lower index)
 *   correlate V: C[i,j] = A[i,j];  L: C[i,j] = γ·A[i,j] + (1−γ)·mean_k A[k,i]·A[k,j]
 *             targets = the top-k preserved tokens by C, α = C / Σ over the k targets
 *   compress  x_j ← (x_j + Σα·x_i) / (1 + Σα), sources ascending; then the discarded rows are dropped, the
 *             survivors keep their order (and, in the LLM, their positions)
 *
 * All on the device inside the recording command: attention matrix, one selection workgroup, the weighted
 * merge, the keep-mask scan and row gathers. Every merge layer also copies what it decided into its own slot
 * of a report buffer, read back by ficoco_collect after the command completed. */
#include "reduce/ficoco.h"

#include <stdlib.h>
#include <string.h>

#include "core/status.h"

enum { SLOT_WORDS_PER_ROW = 2 + 3 * GPU_FICOCO_MAX_TARGETS }; /* scores, kept, then src, dst, alpha */

static gpu_binding span(gpu_buffer *buf, uint64_t first, uint64_t count, uint64_t elem) {
    return (gpu_binding){buf, first * elem, (count ? count : 1) * elem};
}

/* Word offsets of one report slot's parts. */
typedef struct slot_layout { uint64_t scores, src, dst, alpha, kept; } slot_layout;

static slot_layout slot_at(const reduce_ficoco_state *f, int slot) {
    uint64_t base = (uint64_t)slot * SLOT_WORDS_PER_ROW * f->cap, pairs = (uint64_t)f->cap * GPU_FICOCO_MAX_TARGETS;
    return (slot_layout){base, base + f->cap, base + f->cap + pairs, base + f->cap + 2 * pairs, base + f->cap + 3 * pairs};
}

vkvlm_status ficoco_state_load(reduce_ficoco_state *f, model_loader *l, const llama_model *m, const vit_model *vision,
                               vkvlm_error *err) {
    memset(f, 0, sizeof *f);
    uint64_t cap = m->s.max_rows;
    if (vision && vision->tokens > cap) cap = vision->tokens;
    f->cap = (uint32_t)cap;
    f->slots = (uint32_t)(m->cfg.num_hidden_layers + (vision ? vision->layers_run : 0));
    if (f->slots > sizeof f->slot_info / sizeof f->slot_info[0]) f->slots = sizeof f->slot_info / sizeof f->slot_info[0];
    uint64_t vheads = vision ? (uint64_t)vision->cfg.num_attention_heads : 1, pairs = cap * GPU_FICOCO_MAX_TARGETS;
    struct { gpu_buffer **buf; uint64_t bytes; const char *label; } bufs[] = {
        {&f->attn, cap * cap * 4, "ficoco.attn"},   {&f->vlse, vheads * cap * 4, "ficoco.vlse"},
        {&f->orig, cap * 4, "ficoco.orig"},         {&f->orig2, cap * 4, "ficoco.orig2"},
        {&f->mask, cap * 4, "ficoco.mask"},         {&f->offsets, (cap + 1) * 4, "ficoco.offsets"},
        {&f->kept, cap * 4, "ficoco.kept"},         {&f->src, pairs * 4, "ficoco.src"},
        {&f->dst, pairs * 4, "ficoco.dst"},         {&f->alpha, pairs * 4, "ficoco.alpha"},
        {&f->report, (uint64_t)f->slots * SLOT_WORDS_PER_ROW * cap * 4, "ficoco.report"},
    };
    vkvlm_status st = VKVLM_OK;
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0] && st == VKVLM_OK; i++)
        st = model_buffer(l, bufs[i].bytes, bufs[i].label, bufs[i].buf, err);
    return st;
}

static void report_free(reduce_ficoco_report *r) {
    for (int i = 0; i < r->count; i++) {
        reduce_ficoco_layer *L = &r->layers[i];
        free(L->scores);
        free(L->discarded);
        free(L->target_idx);
        free(L->alpha);
        free(L->kept);
    }
    free(r->layers);
    memset(r, 0, sizeof *r);
}

void ficoco_report_clear(reduce_ficoco_state *f, bool vision) {
    report_free(vision ? &f->v : &f->l);
    /* drop the pending slots of that part */
    int keep = 0;
    for (int i = 0; i < f->pending; i++)
        if (f->slot_info[i].vision != vision) f->slot_info[keep++] = f->slot_info[i];
    f->pending = keep;
}

void ficoco_state_free(reduce_ficoco_state *f) {
    gpu_buffer *bufs[] = {f->attn, f->vlse, f->orig, f->orig2, f->mask, f->offsets, f->kept, f->src, f->dst, f->alpha, f->report};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) gpu_buffer_destroy(bufs[i]);
    report_free(&f->v);
    report_free(&f->l);
    memset(f, 0, sizeof *f);
}

/* What computes the attention rows the correlate step reads (the discarded rows over the candidates), between
 * the two selection phases; NULL: f->attn already holds all it reads. */
typedef struct discarded_rows {
    const gpu_attention_desc *desc;
    gpu_binding q, k, pos_q, pos_k, lse;
} discarded_rows;

/* The common tail of one merge: selection on f->attn, merge into x's rows, the report slot, then the keep-mask
 * scan (f->kept holds the surviving row indices). idx: the per-row index the report speaks in (original patch
 * or position). */
static vkvlm_status select_and_merge(reduce_ficoco_state *f, gpu_cmd *cmd, const gpu_params_ficoco *p_in,
                                     const discarded_rows *between, gpu_binding x, uint32_t cols, gpu_buffer *idx,
                                     int layer, bool vision, vkvlm_error *err) {
    gpu_params_ficoco phase = *p_in;
    const gpu_params_ficoco *p = &phase;
    if (f->pending >= (int)f->slots)
        return vkvlm_error_set(err, VKVLM_ERR_INTERNAL, "ficoco: more merge layers than report slots (%u)", f->slots);
    uint32_t rows = p->rows, pairs = p->r * p->k;
    int slot = f->pending;
    slot_layout sl = slot_at(f, slot);
    gpu_binding src = span(f->src, 0, pairs, 4), dst = span(f->dst, 0, pairs, 4), alpha = span(f->alpha, 0, pairs, 4);
    gpu_binding attn = span(f->attn, 0, (uint64_t)rows * rows, 4);
    phase.phase = between ? GPU_FICOCO_PHASE_FILTER : GPU_FICOCO_PHASE_ALL;
    vkvlm_status st = gpu_op_ficoco_select_f32(cmd, span(f->report, sl.scores, p->nv, 4), span(f->mask, 0, rows, 4), src,
                                               dst, alpha, attn, span(idx, 0, rows, 4), p, err);
    if (st == VKVLM_OK && between && pairs) {
        /* the discarded rows (src[d*k], d < r) over the candidates, then the correlate step on them */
        gpu_attn_mean_part part = {.nrows = p->r, .col0 = p->v0, .ncols = p->nv, .index_stride = p->k};
        st = gpu_op_attention_mean_probs_part_f32(cmd, attn, between->q, between->k, between->pos_q, between->pos_k,
                                                  between->lse, src, &part, between->desc, err);
        phase.phase = GPU_FICOCO_PHASE_CORRELATE;
        if (st == VKVLM_OK)
            st = gpu_op_ficoco_select_f32(cmd, span(f->report, sl.scores, p->nv, 4), span(f->mask, 0, rows, 4), src,
                                          dst, alpha, attn, span(idx, 0, rows, 4), p, err);
    }
    if (st == VKVLM_OK && pairs) st = gpu_op_merge_weighted_f32(cmd, x, src, dst, alpha, pairs, rows, cols, err);
    /* the report speaks in original indices: gather them through the pairs' row indices */
    if (st == VKVLM_OK && pairs)
        st = gpu_op_gather_rows(cmd, span(f->report, sl.src, pairs, 4), span(idx, 0, rows, 4), src, pairs, 1, rows, err);
    if (st == VKVLM_OK && pairs)
        st = gpu_op_gather_rows(cmd, span(f->report, sl.dst, pairs, 4), span(idx, 0, rows, 4), dst, pairs, 1, rows, err);
    if (st == VKVLM_OK && pairs) st = gpu_cmd_copy(cmd, f->report, sl.alpha * 4, f->alpha, 0, (uint64_t)pairs * 4, err);
    if (st == VKVLM_OK)
        st = gpu_op_scan_mask(cmd, span(f->offsets, 0, rows + 1, 4), span(f->kept, 0, rows, 4), span(f->mask, 0, rows, 4), 1,
                              rows, err);
    if (st != VKVLM_OK) return st;
    f->slot_info[slot].layer = layer;
    f->slot_info[slot].vision = vision;
    f->slot_info[slot].nv = p->nv;
    f->slot_info[slot].r = p->r;
    f->slot_info[slot].k = p->k;
    f->slot_info[slot].kept = vision ? rows - p->r - 1 : rows - p->r;
    f->pending++;
    return VKVLM_OK;
}

/* Compacts `count` kept rows of buf (width words) through f->kept, via tmp. */
static vkvlm_status compact(reduce_ficoco_state *f, gpu_cmd *cmd, gpu_buffer *buf, gpu_buffer *tmp, uint32_t rows,
                            uint32_t count, uint32_t width, vkvlm_error *err) {
    vkvlm_status st = gpu_op_gather_rows(cmd, span(tmp, 0, count, width * 4ull), span(buf, 0, rows, width * 4ull),
                                         span(f->kept, 0, count, 4), count, width, rows, err);
    if (st == VKVLM_OK) st = gpu_cmd_copy(cmd, buf, 0, tmp, 0, (uint64_t)count * width * 4, err);
    return st;
}

vkvlm_status ficoco_v_after_attention(reduce_state *s, const reduce_item *it, vit_model *m, gpu_cmd *cmd, int layer,
                                      uint32_t *rows, vkvlm_error *err) {
    reduce_ficoco_state *f = &s->ficoco;
    const reduce_ficoco *o = &it->ficoco;
    uint32_t t = *rows, d = (uint32_t)m->cfg.hidden_size, heads = (uint32_t)m->cfg.num_attention_heads;
    if (layer < o->start || t < 2) return VKVLM_OK;
    if (m->first_patch != 1) return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "ficoco-v: the vision tower has no CLS token");
    uint32_t r = (uint32_t)o->remove, k = (uint32_t)o->targets, nv = t - 1;
    if (r + k > nv)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce ficoco-v: remove=%u with targets=%u leaves too few of the %u "
                               "patches at vision layer %d", r, k, nv, layer);
    vkvlm_status st = VKVLM_OK;
    if (layer == o->start) { /* original patch index per row: CLS, then the raster grid */
        int32_t *idx = malloc((size_t)t * sizeof *idx);
        if (!idx) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "ficoco-v: out of host memory");
        for (uint32_t i = 0; i < t; i++) idx[i] = (int32_t)i - 1;
        /* host write now, device reads later in this command: nothing earlier in the command writes orig */
        st = gpu_buffer_write(f->orig, 0, idx, (uint64_t)t * 4, err);
        free(idx);
    }
    gpu_attention_desc a = {.q_len = t, .kv_len = t, .q_heads = heads, .kv_heads = heads,
                            .head_dim = (uint32_t)m->cfg.head_dim, .causal = false};
    gpu_binding none = {0}, attn = span(f->attn, 0, (uint64_t)t * t, 4), q = span(m->q, 0, t, d * 4ull),
                kb = span(m->k, 0, t, d * 4ull), lse = reduce_vision_lse(s, layer, t);
    /* the filter reads column CLS (every row's sum over the patches is 1 minus it) and row CLS of A */
    gpu_attn_mean_part cls_col = {.row0 = 1, .nrows = nv, .col0 = 0, .ncols = 1};
    gpu_attn_mean_part cls_row = {.row0 = 0, .nrows = 1, .col0 = 1, .ncols = nv};
    if (st == VKVLM_OK)
        st = gpu_op_attention_mean_probs_part_f32(cmd, attn, q, kb, none, none, lse, none, &cls_col, &a, err);
    if (st == VKVLM_OK)
        st = gpu_op_attention_mean_probs_part_f32(cmd, attn, q, kb, none, none, lse, none, &cls_row, &a, err);
    discarded_rows between = {&a, q, kb, none, none, lse};
    gpu_params_ficoco p = {.rows = t, .v0 = 1, .nv = nv, .cls_row = 0, .r = r, .k = k, .mode = GPU_FICOCO_VISION,
                           .grid_w = (uint32_t)m->cfg.patches_per_side, .window = (uint32_t)o->window,
                           .w_score = (float)o->w_score, .penalty = (float)o->penalty};
    if (st == VKVLM_OK)
        st = select_and_merge(f, cmd, &p, &between, span(m->h, 0, t, d * 4ull), d, f->orig, layer, true, err);
    /* survivors: the residual stream (through hn, free until LN2) and the original indices */
    uint32_t left = t - r;
    if (st == VKVLM_OK) st = compact(f, cmd, m->h, m->hn, t, left, d, err);
    if (st == VKVLM_OK) st = compact(f, cmd, f->orig, f->orig2, t, left, 1, err);
    if (st == VKVLM_OK) {
        slot_layout sl = slot_at(f, f->pending - 1);
        st = gpu_cmd_copy(cmd, f->report, sl.kept * 4, f->orig, 4, (uint64_t)(left - 1) * 4, err);
    }
    if (st == VKVLM_OK) *rows = left;
    return st;
}

vkvlm_status ficoco_l_after_attention(reduce_state *s, const reduce_item *it, llama_model *m, gpu_cmd *cmd, int layer,
                                      uint32_t *rows, vkvlm_error *err) {
    reduce_ficoco_state *f = &s->ficoco;
    const reduce_ficoco *o = &it->ficoco;
    const vkvlm_config_text *c = &m->cfg;
    llama_state *ls = &m->s;
    uint32_t L = *rows, d = (uint32_t)c->hidden_size;
    if (layer < o->start || s->image_tokens == 0 || L < 2) return VKVLM_OK;
    llama_kv_layer *kv = &ls->kv[layer];
    if (kv->len != 0 || s->prompt_len > ls->max_rows)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "ficoco-l: the prompt (%u tokens) must fit one prefill chunk (%u rows)",
                               s->prompt_len, ls->max_rows);
    uint32_t r = (uint32_t)o->remove, k = (uint32_t)o->targets, nv = f->l_nv, v0 = f->l_v0, t0 = v0 + nv;
    if (r + k > nv)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce ficoco-l: remove=%u with targets=%u leaves too few of the %u "
                               "image tokens at layer %d", r, k, nv, layer);
    if (t0 >= L) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce ficoco-l: the prompt has no text after the image");
    uint32_t qd = (uint32_t)(c->num_attention_heads * c->head_dim), kvd = (uint32_t)(c->num_key_value_heads * c->head_dim);
    gpu_attention_desc a = {.q_len = L, .kv_len = L, .q_heads = (uint32_t)c->num_attention_heads,
                            .kv_heads = (uint32_t)c->num_key_value_heads, .head_dim = (uint32_t)c->head_dim,
                            .causal = true};
    /* the filter reads the image rows over the prefix columns (an image row's image sum is 1 minus its prefix
     * sum) and the text rows over the image columns */
    gpu_binding none = {0}, attn = span(f->attn, 0, (uint64_t)L * L, 4), q = span(ls->q_rot, 0, L, qd * 4ull),
                kb = span(kv->k, 0, L, kvd * 4ull), pq = span(ls->pos, 0, L, 4), pk = span(kv->pos, 0, L, 4),
                lse = reduce_llm_lse(s, layer, L);
    gpu_attn_mean_part prefix = {.row0 = v0, .nrows = nv, .col0 = 0, .ncols = v0};
    gpu_attn_mean_part text = {.row0 = t0, .nrows = L - t0, .col0 = v0, .ncols = nv};
    vkvlm_status st = gpu_op_attention_mean_probs_part_f32(cmd, attn, q, kb, pq, pk, lse, none, &prefix, &a, err);
    if (st == VKVLM_OK) st = gpu_op_attention_mean_probs_part_f32(cmd, attn, q, kb, pq, pk, lse, none, &text, &a, err);
    discarded_rows between = {&a, q, kb, pq, pk, lse};
    gpu_params_ficoco p = {.rows = L, .v0 = v0, .nv = nv, .t0 = t0, .nt = L - t0, .r = r, .k = k,
                           .mode = GPU_FICOCO_LANGUAGE, .w_score = (float)o->w_score, .w_corr = (float)o->gamma};
    if (st == VKVLM_OK)
        st = select_and_merge(f, cmd, &p, &between, span(ls->x, 0, L, d * 4ull), d, ls->pos, layer, false, err);
    uint32_t left = L - r;
    if (st == VKVLM_OK) st = compact(f, cmd, ls->x, s->x2, L, left, d, err);
    if (st == VKVLM_OK) st = compact(f, cmd, ls->pos, s->pos2, L, left, 1, err);
    if (st == VKVLM_OK) {
        slot_layout sl = slot_at(f, f->pending - 1);
        st = gpu_cmd_copy(cmd, f->report, sl.kept * 4, ls->pos, 0, (uint64_t)left * 4, err);
    }
    if (st != VKVLM_OK) return st;
    f->l_nv -= r;
    s->applied = true;
    *rows = left;
    return VKVLM_OK;
}

static vkvlm_status read_words(gpu_buffer *b, uint64_t word, void *dst, uint64_t count, vkvlm_error *err) {
    return count ? gpu_buffer_read(b, word * 4, dst, count * 4, err) : VKVLM_OK;
}

vkvlm_status ficoco_collect(reduce_ficoco_state *f, vkvlm_error *err) {
    vkvlm_status st = VKVLM_OK;
    for (int i = 0; i < f->pending && st == VKVLM_OK; i++) {
        reduce_ficoco_report *rep = f->slot_info[i].vision ? &f->v : &f->l;
        reduce_ficoco_layer *grown = realloc(rep->layers, (size_t)(rep->count + 1) * sizeof *grown);
        if (!grown) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "ficoco: out of host memory");
        rep->layers = grown;
        reduce_ficoco_layer *L = &rep->layers[rep->count++];
        memset(L, 0, sizeof *L);
        L->layer = f->slot_info[i].layer;
        L->candidates = f->slot_info[i].nv;
        L->removed = f->slot_info[i].r;
        L->targets = f->slot_info[i].k;
        L->kept_count = f->slot_info[i].kept;
        size_t pairs = (size_t)L->removed * L->targets;
        L->scores = malloc((L->candidates ? L->candidates : 1) * sizeof *L->scores);
        L->discarded = malloc((L->removed ? L->removed : 1) * sizeof *L->discarded);
        L->target_idx = malloc((pairs ? pairs : 1) * sizeof *L->target_idx);
        L->alpha = malloc((pairs ? pairs : 1) * sizeof *L->alpha);
        L->kept = malloc((L->kept_count ? L->kept_count : 1) * sizeof *L->kept);
        int32_t *src = malloc((pairs ? pairs : 1) * sizeof *src);
        if (!L->scores || !L->discarded || !L->target_idx || !L->alpha || !L->kept || !src) {
            free(src);
            return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "ficoco: out of host memory");
        }
        slot_layout sl = slot_at(f, i);
        st = read_words(f->report, sl.scores, L->scores, L->candidates, err);
        if (st == VKVLM_OK) st = read_words(f->report, sl.src, src, pairs, err);
        if (st == VKVLM_OK) st = read_words(f->report, sl.dst, L->target_idx, pairs, err);
        if (st == VKVLM_OK) st = read_words(f->report, sl.alpha, L->alpha, pairs, err);
        if (st == VKVLM_OK) st = read_words(f->report, sl.kept, L->kept, L->kept_count, err);
        for (uint32_t j = 0; j < L->removed; j++) L->discarded[j] = src[(size_t)j * L->targets];
        free(src);
    }
    f->pending = 0;
    return st;
}
