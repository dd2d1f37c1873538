/* reduce.c — see reduce.h: parsing, the shared state and the hook dispatch to each method's file. */
#define _POSIX_C_SOURCE 200809L
#include "reduce/reduce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "reduce/fastv.h"
#include "reduce/ficoco.h"
#include "reduce/proxyv.h"
#include "models/proxyv.h"

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

/* FiCoCo's options. Defaults: METHODS.md section 2.1 (paper, Appendix 9) and golden/README.md (k = 2). start
 * defaults to the paper's "12th ViT layer" / "4th LLM layer" (0-based 11 / 3); remove has no published
 * default and must be given. ficoco-vl takes both sets, v-/l- prefixed where they differ. */
typedef struct ficoco_option {
    const char *name;
    int which;     /* bit 1: the V item, bit 2: the L item */
    int field;     /* FICOCO_* below */
    bool integer;
    double lo, hi; /* allowed range, inclusive */
} ficoco_option;

enum { FICOCO_START, FICOCO_REMOVE, FICOCO_TARGETS, FICOCO_SCORE, FICOCO_GAMMA, FICOCO_WINDOW, FICOCO_PENALTY };

static const ficoco_option ficoco_options[] = {
    {"start", 3, FICOCO_START, true, 0, 100000},      {"remove", 3, FICOCO_REMOVE, true, 0, 100000},
    {"targets", 3, FICOCO_TARGETS, true, 1, GPU_FICOCO_MAX_TARGETS},
    {"lambda", 1, FICOCO_SCORE, false, 0, 1},         {"beta", 2, FICOCO_SCORE, false, 0, 1},
    {"gamma", 2, FICOCO_GAMMA, false, 0, 1},          {"window", 1, FICOCO_WINDOW, true, 0, 64},
    {"penalty", 1, FICOCO_PENALTY, false, 0, 1000},
};

static void ficoco_set(reduce_ficoco *f, int field, double v) {
    switch (field) {
    case FICOCO_START: f->start = (int)v; break;
    case FICOCO_REMOVE: f->remove = (int)v; break;
    case FICOCO_TARGETS: f->targets = (int)v; break;
    case FICOCO_SCORE: f->w_score = v; break;
    case FICOCO_GAMMA: f->gamma = v; break;
    case FICOCO_WINDOW: f->window = (int)v; break;
    default: f->penalty = v; break;
    }
}

/* which: 1 ficoco-v, 2 ficoco-l, 3 ficoco-vl (keys may carry v-/l-; unprefixed ones go to every item that has
 * them). */
static vkvlm_status parse_ficoco(reduce_item *v, reduce_item *l, int which, const char *args, const char *text,
                                 vkvlm_error *err) {
    v->method = REDUCE_FICOCO_V;
    v->ficoco = (reduce_ficoco){.start = 11, .remove = -1, .targets = 2, .w_score = 0.35, .window = 2, .penalty = 2};
    l->method = REDUCE_FICOCO_L;
    l->ficoco = (reduce_ficoco){.start = 3, .remove = -1, .targets = 2, .w_score = 0.6, .gamma = 0.6};
    char buf[256];
    snprintf(buf, sizeof buf, "%s", args);
    for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: '%s' is not key=value", text, kv);
        *eq = '\0';
        const char *key = kv, *value = eq + 1;
        int scope = which;
        if (which == 3 && (strncmp(key, "v-", 2) == 0 || strncmp(key, "l-", 2) == 0)) {
            scope = key[0] == 'v' ? 1 : 2;
            key += 2;
        }
        const ficoco_option *opt = NULL;
        for (size_t i = 0; i < sizeof ficoco_options / sizeof ficoco_options[0]; i++)
            if (strcmp(ficoco_options[i].name, key) == 0 && (ficoco_options[i].which & scope)) opt = &ficoco_options[i];
        if (!opt)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: unknown option '%s' (%s)", text, kv,
                                   which == 1   ? "start, remove, targets, lambda, window, penalty"
                                   : which == 2 ? "start, remove, targets, beta, gamma"
                                                : "v-start, v-remove, l-start, l-remove, [v-|l-]targets, lambda, beta, "
                                                  "gamma, window, penalty");
        char *end = NULL;
        double x = opt->integer ? (double)strtol(value, &end, 10) : strtod(value, &end);
        if (!*value || *end || !(x >= opt->lo && x <= opt->hi))
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: %s=%s must be %s in [%g, %g]", text, kv, value,
                                   opt->integer ? "an integer" : "a number", opt->lo, opt->hi);
        if (scope & opt->which & 1) ficoco_set(&v->ficoco, opt->field, x);
        if (scope & opt->which & 2) ficoco_set(&l->ficoco, opt->field, x);
    }
    if (((which & 1) && v->ficoco.remove < 0) || ((which & 2) && l->ficoco.remove < 0))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: give the tokens removed per layer, e.g. %s", text,
                               which == 1 ? "ficoco-v:start=1,remove=8" : which == 2 ? "ficoco-l:start=2,remove=6"
                                                                                     : "ficoco-vl:v-remove=8,l-remove=6");
    return VKVLM_OK;
}

static bool spec_has(const reduce_spec *spec, reduce_method m) {
    for (int i = 0; i < spec->count; i++)
        if (spec->items[i].method == m) return true;
    return false;
}

bool reduce_spec_has(const reduce_spec *spec, reduce_method method) { return spec && spec_has(spec, method); }

vkvlm_status reduce_parse(reduce_spec *spec, const char *text, vkvlm_error *err) {
    if (strcmp(text, "none") == 0) return VKVLM_OK;
    const char *colon = strchr(text, ':');
    size_t name_len = colon ? (size_t)(colon - text) : strlen(text);
    const char *args = colon ? colon + 1 : "";
    reduce_item it[2] = {{0}, {0}};
    int n = 1;
    if (name_len == 5 && strncmp(text, "fastv", 5) == 0) {
        it[0].method = REDUCE_FASTV;
        vkvlm_status st = parse_fastv(&it[0], args, text, err);
        if (st != VKVLM_OK) return st;
    } else if ((name_len == 8 && (strncmp(text, "ficoco-v", 8) == 0 || strncmp(text, "ficoco-l", 8) == 0)) ||
               (name_len == 9 && strncmp(text, "ficoco-vl", 9) == 0)) {
        int which = name_len == 9 ? 3 : text[7] == 'v' ? 1 : 2;
        vkvlm_status st = parse_ficoco(&it[0], &it[1], which, args, text, err);
        if (st != VKVLM_OK) return st;
        if (which == 2) it[0] = it[1];
        n = which == 3 ? 2 : 1;
    } else if (name_len == 6 && strncmp(text, "proxyv", 6) == 0) {
        /* the start layer and factor are the checkpoint's: its weights were trained for them */
        if (*args || colon)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: proxyv takes no options (its start layer and "
                                   "factor come from the checkpoint's config.json)", text);
        it[0].method = REDUCE_PROXYV;
    } else {
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: unknown method (none, fastv:k=K,r=R, "
                               "ficoco-v:start=L,remove=N, ficoco-l:start=L,remove=N, ficoco-vl:..., proxyv)", text);
    }
    if ((it[0].method == REDUCE_PROXYV && spec->count) || spec_has(spec, REDUCE_PROXYV))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: proxyv runs alone (it changes every layer from its "
                               "start on)", text);
    for (int i = 0; i < n; i++) {
        if (spec_has(spec, it[i].method))
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: %s given twice", text,
                                   it[i].method == REDUCE_FASTV      ? "fastv"
                                   : it[i].method == REDUCE_FICOCO_V ? "ficoco-v"
                                                                     : "ficoco-l");
        if (spec->count + n - i > REDUCE_MAX_ITEMS)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce: at most %d methods", REDUCE_MAX_ITEMS);
    }
    bool llm_pruner = false;
    for (int i = 0; i < n; i++) llm_pruner |= it[i].method == REDUCE_FASTV || it[i].method == REDUCE_FICOCO_L;
    if (llm_pruner && (spec_has(spec, REDUCE_FASTV) || spec_has(spec, REDUCE_FICOCO_L)))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce %s: fastv and ficoco-l both reduce the LLM's tokens; "
                               "give one of them", text);
    for (int i = 0; i < n; i++) spec->items[spec->count++] = it[i];
    return VKVLM_OK;
}

uint32_t reduce_vision_tokens(const reduce_spec *spec, uint32_t patches, int vision_layers) {
    for (int i = 0; i < spec->count; i++) {
        const reduce_item *it = &spec->items[i];
        if (it->method != REDUCE_FICOCO_V || it->ficoco.start >= vision_layers) continue;
        uint64_t removed = (uint64_t)it->ficoco.remove * (uint64_t)(vision_layers - it->ficoco.start);
        return removed >= patches ? 0 : patches - (uint32_t)removed;
    }
    return patches;
}

vkvlm_status reduce_validate(const reduce_spec *spec, int llm_layers, int vision_layers, uint32_t image_tokens,
                             vkvlm_error *err) {
    for (int i = 0; i < spec->count; i++) {
        const reduce_item *it = &spec->items[i];
        const reduce_ficoco *f = &it->ficoco;
        if (it->method == REDUCE_FASTV && it->fastv_k >= llm_layers)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce fastv: k=%d must be below the model's %d layers",
                                   it->fastv_k, llm_layers);
        if (it->method == REDUCE_FICOCO_V) {
            if (vision_layers <= 0)
                return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce ficoco-v: this model's vision tower has no CLS "
                                       "token (FiCoCo-V runs on LLaVA's CLIP)");
            if (f->start >= vision_layers)
                return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce ficoco-v: start=%d must be below the %d vision "
                                       "layers that run", f->start, vision_layers);
        }
        if (it->method == REDUCE_FICOCO_L && f->start >= llm_layers)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce ficoco-l: start=%d must be below the model's %d layers",
                                   f->start, llm_layers);
        if (it->method == REDUCE_FICOCO_L && image_tokens &&
            (uint64_t)f->remove * (uint64_t)(llm_layers - f->start) + (uint64_t)f->targets > image_tokens)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce ficoco-l: remove=%d in %d layers (and targets=%d) needs "
                                   "more than the %u image tokens", f->remove, llm_layers - f->start, f->targets,
                                   image_tokens);
        if (it->method != REDUCE_NONE && image_tokens == 0)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce: the prompt has no image to reduce (--image)");
    }
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- state */

vkvlm_status reduce_state_load(reduce_state *s, model_loader *l, const llama_model *m, const vit_model *vision,
                               vkvlm_error *err) {
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
        {&s->proxyv.pos, r * 4, "reduce.proxyv_pos"},
    };
    vkvlm_status st = VKVLM_OK;
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0] && st == VKVLM_OK; i++)
        st = model_buffer(l, bufs[i].bytes, bufs[i].label, bufs[i].buf, err);
    if (st == VKVLM_OK) st = ficoco_state_load(&s->ficoco, l, m, vision, err);
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
                          s->x2, s->pos2, s->proxyv.pos};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) gpu_buffer_destroy(bufs[i]);
    report_clear(s);
    ficoco_state_free(&s->ficoco);
    memset(s, 0, sizeof *s);
}

vkvlm_status reduce_begin(reduce_state *s, const reduce_spec *spec, uint32_t prompt_len, const int32_t *image_positions,
                          uint32_t image_tokens, vkvlm_error *err) {
    report_clear(s);
    ficoco_report_clear(&s->ficoco, false);
    s->spec = spec ? *spec : (reduce_spec){0};
    s->prompt_len = prompt_len;
    s->image_tokens = image_tokens;
    s->applied = false;
    s->proxyv.applied = false;
    if (!reduce_active(s) || !image_tokens) return VKVLM_OK;
    if (spec_has(&s->spec, REDUCE_PROXYV)) {
        vkvlm_status st = proxyv_begin(s, image_positions, image_tokens, err);
        if (st != VKVLM_OK) return st;
    }
    if (spec_has(&s->spec, REDUCE_FICOCO_L)) {
        /* FiCoCo-L merges one run of image tokens (LLaVA); tiles separated by tags are not supported yet */
        if ((uint32_t)(image_positions[image_tokens - 1] - image_positions[0]) + 1 != image_tokens)
            return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "--reduce ficoco-l: the image tokens form several runs "
                                   "(tiles); only one run is supported");
        s->ficoco.l_v0 = (uint32_t)image_positions[0];
        s->ficoco.l_nv = image_tokens;
    }
    if (prompt_len > s->rows_per_layer_max)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "--reduce: the prompt (%u tokens) must fit one prefill chunk of %u rows",
                               prompt_len, s->rows_per_layer_max);
    return gpu_buffer_write(s->image_pos, 0, image_positions, (uint64_t)image_tokens * 4, err);
}

bool reduce_active(const reduce_state *s) { return s && s->spec.count > 0; }

void reduce_state_set_proxyv(reduce_state *s, const proxyv_model *model) { s->proxyv.model = model; }

void reduce_vision_begin(reduce_state *s, const reduce_spec *spec) {
    s->spec = spec ? *spec : (reduce_spec){0};
    ficoco_report_clear(&s->ficoco, true);
}

/* ---------------------------------------------------------------- hooks */

gpu_binding reduce_llm_lse(const reduce_state *s, int layer, uint32_t rows) {
    if (!reduce_active(s) || rows < 2) return (gpu_binding){0};
    for (int i = 0; i < s->spec.count; i++) {
        const reduce_item *it = &s->spec.items[i];
        if (it->method == REDUCE_FASTV && !s->applied && it->fastv_k - 1 == layer) return (gpu_binding){s->lse, 0, 0};
        if (it->method == REDUCE_FICOCO_L && layer >= it->ficoco.start && s->image_tokens)
            return (gpu_binding){s->lse, 0, 0};
    }
    return (gpu_binding){0};
}

gpu_binding reduce_vision_lse(const reduce_state *s, int layer, uint32_t rows) {
    if (!reduce_active(s) || rows < 2) return (gpu_binding){0};
    for (int i = 0; i < s->spec.count; i++) {
        const reduce_item *it = &s->spec.items[i];
        if (it->method == REDUCE_FICOCO_V && layer >= it->ficoco.start) return (gpu_binding){s->ficoco.vlse, 0, 0};
    }
    return (gpu_binding){0};
}

vkvlm_status reduce_vision_after_attention(reduce_state *s, vit_model *m, gpu_cmd *cmd, int layer, uint32_t *rows,
                                           vkvlm_error *err) {
    if (!reduce_active(s)) return VKVLM_OK;
    for (int i = 0; i < s->spec.count; i++) {
        const reduce_item *it = &s->spec.items[i];
        if (it->method != REDUCE_FICOCO_V) continue;
        vkvlm_status st = ficoco_v_after_attention(s, it, m, cmd, layer, rows, err);
        if (st != VKVLM_OK) return st;
    }
    return VKVLM_OK;
}

vkvlm_status reduce_llm_after_attention(reduce_state *s, llama_model *m, gpu_cmd *cmd, int layer, uint32_t *rows,
                                        vkvlm_error *err) {
    if (!reduce_active(s) || *rows < 2) return VKVLM_OK; /* decode steps: nothing is merged after prefill */
    for (int i = 0; i < s->spec.count; i++) {
        const reduce_item *it = &s->spec.items[i];
        if (it->method != REDUCE_FICOCO_L) continue;
        vkvlm_status st = ficoco_l_after_attention(s, it, m, cmd, layer, rows, err);
        if (st != VKVLM_OK) return st;
    }
    return VKVLM_OK;
}

vkvlm_status reduce_llm_layer_input(reduce_state *s, llama_model *m, gpu_cmd *cmd, int layer, uint32_t *rows,
                                    vkvlm_error *err) {
    if (!reduce_active(s) || *rows < 2) return VKVLM_OK; /* decode steps: nothing is removed after prefill */
    for (int i = 0; i < s->spec.count; i++) {
        const reduce_item *it = &s->spec.items[i];
        vkvlm_status st = VKVLM_OK;
        if (it->method == REDUCE_FASTV) st = fastv_layer_input(s, it, m, cmd, layer, rows, err);
        if (it->method == REDUCE_PROXYV && s->image_tokens) st = proxyv_layer_input(s, m, cmd, layer, *rows, err);
        if (st != VKVLM_OK) return st;
    }
    return VKVLM_OK;
}

vkvlm_status reduce_llm_layer(reduce_state *s, llama_model *m, gpu_cmd *cmd, int layer, uint32_t rows, bool *done,
                              vkvlm_error *err) {
    *done = false;
    if (!reduce_active(s) || rows < 2 || !spec_has(&s->spec, REDUCE_PROXYV)) return VKVLM_OK;
    return proxyv_layer(s, m, cmd, layer, rows, done, err);
}

double reduce_llm_layer_flops(const reduce_state *s, const vkvlm_config_text *cfg, int layer, uint32_t L) {
    if (!reduce_active(s) || !s->proxyv.applied || layer < s->proxyv.model->start_layer) return 0;
    return proxyv_layer_flops(s->proxyv.model, cfg, L, s->proxyv.image_start);
}

vkvlm_status reduce_collect(reduce_state *s, vkvlm_error *err) {
    vkvlm_status fst = ficoco_collect(&s->ficoco, err);
    if (fst != VKVLM_OK) return fst;
    if (!reduce_active(s) || !s->applied || s->fastv.done || !s->fastv.kept_count) return VKVLM_OK;
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
    if (s->fastv.kept_count)
        for (int l = s->fastv.layer; l < layers; l++) rows_at[l] = s->fastv.kept_count;
    /* FiCoCo-L: a merge layer's attention sees its input rows; later layers see the survivors */
    for (int i = 0; i < s->ficoco.l.count; i++)
        for (int l = s->ficoco.l.layers[i].layer + 1; l < layers; l++) rows_at[l] = s->ficoco.l.layers[i].kept_count;
}
