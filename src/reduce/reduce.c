/* reduce.c — see reduce.h: parsing, the shared state and the hook dispatch to each method's file. */
#define _POSIX_C_SOURCE 200809L
#include "reduce/reduce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "reduce/fastv.h"

/* ---------------------------------------------------------------- --reduce SPEC */

static vkvlm_status parse_fastv(reduce_item *it, const char *args, const char *text, vkvlm_error *err) {
    bool have_k = false, have_r = false;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", args);
    for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: '%s' is not key=value", text, kv);
        *eq = '\0';
        const char *value = eq + 1;
        char *end = NULL;
        if (strcmp(kv, "k") == 0) {
            long k = strtol(value, &end, 10);
            if (!*value || *end || k < 1 || k > 100000)
                return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: k=%s must be a layer number >= 1", text, value);
            it->fastv_k = (int)k;
            have_k = true;
        } else if (strcmp(kv, "r") == 0) {
            double r = strtod(value, &end);
            if (!*value || *end || !(r >= 0 && r < 1))
                return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: r=%s must be in [0, 1)", text, value);
            it->fastv_r = r;
            have_r = true;
        } else {
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: unknown fastv option '%s' (k, r)", text, kv);
        }
    }
    if (!have_k || !have_r)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: fastv needs k and r, e.g. fastv:k=2,r=0.5", text);
    return VKVLM_OK;
}

vkvlm_status reduce_parse(reduce_spec *spec, const char *text, vkvlm_error *err) {
    if (strcmp(text, "none") == 0) return VKVLM_OK;
    const char *colon = strchr(text, ':');
    size_t name_len = colon ? (size_t)(colon - text) : strlen(text);
    if (spec->count == REDUCE_MAX_ITEMS)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce: at most %d methods", REDUCE_MAX_ITEMS);
    reduce_item it = {0};
    if (name_len == 5 && strncmp(text, "fastv", 5) == 0) {
        it.method = REDUCE_FASTV;
        vkvlm_status st = parse_fastv(&it, colon ? colon + 1 : "", text, err);
        if (st != VKVLM_OK) return st;
        for (int i = 0; i < spec->count; i++)
            if (spec->items[i].method == REDUCE_FASTV)
                return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: fastv given twice", text);
    } else if ((name_len == 8 && (strncmp(text, "ficoco-v", 8) == 0 || strncmp(text, "ficoco-l", 8) == 0)) ||
               (name_len == 9 && strncmp(text, "ficoco-vl", 9) == 0) || (name_len == 6 && strncmp(text, "proxyv", 6) == 0)) {
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: %.*s is not available in this build yet (fastv is)",
                               text, (int)name_len, text);
    } else {
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: unknown method (none, fastv:k=K,r=R)", text);
    }
    spec->items[spec->count++] = it;
    return VKVLM_OK;
}

vkvlm_status reduce_validate(const reduce_spec *spec, int llm_layers, uint32_t image_tokens, vkvlm_error *err) {
    for (int i = 0; i < spec->count; i++) {
        const reduce_item *it = &spec->items[i];
        if (it->method != REDUCE_FASTV) continue;
        if (it->fastv_k >= llm_layers)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce fastv: k=%d must be below the model's %d layers",
                                   it->fastv_k, llm_layers);
        if (image_tokens == 0)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce fastv: the prompt has no image to reduce (--image)");
    }
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- state */

vkvlm_status reduce_state_load(reduce_state *s, model_loader *l, const llama_model *m, vkvlm_error *err) {
    memset(s, 0, sizeof *s);
    uint64_t r = m->s.max_rows, heads = (uint64_t)m->cfg.num_attention_heads, d = (uint64_t)m->cfg.hidden_size;
    s->rows_per_layer_max = (uint32_t)r;
    struct { gpu_buffer **buf; uint64_t bytes; const char *label; } bufs[] = {
        {&s->lse, heads * r * 4, "reduce.lse"},         {&s->scores, r * 4, "reduce.scores"},
        {&s->image_pos, r * 4, "reduce.image_pos"},     {&s->image_scores, r * 4, "reduce.image_scores"},
        {&s->mask, r * 4, "reduce.mask"},               {&s->offsets, (r + 1) * 4, "reduce.offsets"},
        {&s->kept, r * 4, "reduce.kept"},               {&s->topk_kept, r * 4, "reduce.topk_kept"},
        {&s->topk_mask, r * 4, "reduce.topk_mask"},     {&s->topk_offsets, (r + 1) * 4, "reduce.topk_offsets"},
        {&s->x2, r * d * 4, "reduce.x2"},               {&s->pos2, r * 4, "reduce.pos2"},
    };
    vkvlm_status st = VKVLM_OK;
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0] && st == VKVLM_OK; i++)
        st = model_buffer(l, bufs[i].bytes, bufs[i].label, bufs[i].buf, err);
    return st;
}

static void report_clear(reduce_state *s) {
    free(s->fastv.scores);
    free(s->fastv.kept_positions);
    memset(&s->fastv, 0, sizeof s->fastv);
}

void reduce_state_free(reduce_state *s) {
    if (!s) return;
    gpu_buffer *bufs[] = {s->lse, s->image_pos, s->image_scores, s->scores, s->mask, s->offsets, s->kept, s->topk_kept, s->topk_mask, s->topk_offsets,
                          s->x2, s->pos2};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) gpu_buffer_destroy(bufs[i]);
    report_clear(s);
    memset(s, 0, sizeof *s);
}

vkvlm_status reduce_begin(reduce_state *s, const reduce_spec *spec, uint32_t prompt_len, const int32_t *image_positions,
                          uint32_t image_tokens, vkvlm_error *err) {
    report_clear(s);
    s->spec = spec ? *spec : (reduce_spec){0};
    s->prompt_len = prompt_len;
    s->image_tokens = image_tokens;
    s->applied = false;
    if (!reduce_active(s) || !image_tokens) return VKVLM_OK;
    if (prompt_len > s->rows_per_layer_max)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "--reduce: the prompt (%u tokens) must fit one prefill chunk of %u rows",
                               prompt_len, s->rows_per_layer_max);
    return gpu_buffer_write(s->image_pos, 0, image_positions, (uint64_t)image_tokens * 4, err);
}

bool reduce_active(const reduce_state *s) { return s && s->spec.count > 0; }

/* ---------------------------------------------------------------- hooks */

gpu_binding reduce_llm_lse(const reduce_state *s, int layer, uint32_t rows) {
    if (!reduce_active(s) || s->applied || rows < 2) return (gpu_binding){0};
    for (int i = 0; i < s->spec.count; i++) {
        const reduce_item *it = &s->spec.items[i];
        if (it->method == REDUCE_FASTV && it->fastv_k - 1 == layer) return (gpu_binding){s->lse, 0, 0};
    }
    return (gpu_binding){0};
}

vkvlm_status reduce_llm_layer_input(reduce_state *s, llama_model *m, gpu_cmd *cmd, int layer, uint32_t *rows,
                                    vkvlm_error *err) {
    if (!reduce_active(s) || *rows < 2) return VKVLM_OK; /* decode steps: nothing is removed after prefill */
    for (int i = 0; i < s->spec.count; i++) {
        const reduce_item *it = &s->spec.items[i];
        vkvlm_status st = VKVLM_OK;
        if (it->method == REDUCE_FASTV) st = fastv_layer_input(s, it, m, cmd, layer, rows, err);
        if (st != VKVLM_OK) return st;
    }
    return VKVLM_OK;
}

vkvlm_status reduce_collect(reduce_state *s, vkvlm_error *err) {
    if (!reduce_active(s) || !s->applied || s->fastv.done) return VKVLM_OK;
    reduce_fastv_report *f = &s->fastv;
    f->scores = malloc((size_t)f->image_tokens * sizeof *f->scores);
    f->kept_positions = malloc((size_t)f->kept_count * sizeof *f->kept_positions);
    if (!f->scores || !f->kept_positions) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "fastv: out of host memory");
    vkvlm_status st = gpu_buffer_read(s->image_scores, 0, f->scores, (uint64_t)f->image_tokens * 4, err);
    if (st == VKVLM_OK) st = gpu_buffer_read(s->pos2, 0, f->kept_positions, (uint64_t)f->kept_count * 4, err);
    f->done = st == VKVLM_OK;
    return st;
}

void reduce_rows_per_layer(const reduce_state *s, int layers, uint32_t L, uint32_t *rows_at) {
    for (int l = 0; l < layers; l++) rows_at[l] = L;
    if (!reduce_active(s) || !s->applied) return;
    for (int l = s->fastv.layer; l < layers; l++) rows_at[l] = s->fastv.kept_count;
}
