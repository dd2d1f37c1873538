/* reduce.h — the token-reduction framework: parsing `--reduce SPEC`, the state the methods share during one
 * prompt, and the hook points the model graphs call by name.
 *
 * Hooks (explicit calls in the forward passes, never registered callbacks):
 *   reduce_llm_lse(state, layer)           — the LLM layer whose attention must also write its log-sum-exp
 *   reduce_llm_layer_input(state, ...)     — at the input of LLM layer l: may shorten the sequence in place
 *   reduce_llm_layer(state, ...)           — LLM layer l at prefill: may run the layer itself instead (ProxyV)
 *   reduce_llm_after_attention(state, ...) — LLM layer l, after the attention residual, before the MLP (FiCoCo-L)
 *   reduce_vision_lse(state, layer, rows)  — the vision layer whose attention must also write its log-sum-exp
 *   reduce_vision_after_attention(...)     — vision layer l, after the attention residual, before the MLP
 *                                            (FiCoCo-V): may shorten the token sequence in place
 *
 * Shared state: the prompt's image span (positions that hold image embeddings — never tile tags or text),
 * device scratch for scores, masks and compaction, and per-method reports (what was kept, at which layer),
 * read back after the prefill command finishes. Token positions live in the model's position buffer, so
 * kept tokens keep their RoPE positions; each LLM layer has its own KV length. */
#ifndef VKVLM_REDUCE_REDUCE_H
#define VKVLM_REDUCE_REDUCE_H

#include <stdbool.h>
#include <stdint.h>

#include "models/llama.h"
#include "models/vit.h"

typedef enum reduce_method {
    REDUCE_NONE = 0,
    REDUCE_FASTV,
    REDUCE_FICOCO_V, /* FiCoCo-V in the vision encoder (ficoco-vl adds one of each) */
    REDUCE_FICOCO_L, /* FiCoCo-L in the LLM */
    REDUCE_PROXYV,   /* ProxyV (needs ProxyV-trained weights; alone) */
} reduce_method;

/* FiCoCo's settings (METHODS.md section 2; defaults in reduce.c's option table and docs/methods.md). */
typedef struct reduce_ficoco {
    int start;        /* first merge layer (0-based); merges run in every layer from start on */
    int remove;       /* tokens discarded per merge layer (r) */
    int targets;      /* targets per discarded token (k), 1..GPU_FICOCO_MAX_TARGETS */
    double w_score;   /* V: lambda (0.35), L: beta (0.6) */
    double gamma;     /* L: weight of the direct attention in the correlation (0.6) */
    int window;       /* V: local-penalty window side (2; 0 = no penalty) */
    double penalty;   /* V: factor on each window's maximum score (2) */
} reduce_ficoco;

typedef struct reduce_item {
    reduce_method method;
    int fastv_k;      /* FastV: scores from layer k-1, image tokens removed from layer k on (1 <= k < layers) */
    double fastv_r;   /* FastV: fraction of image tokens removed, 0 <= r < 1 */
    reduce_ficoco ficoco; /* REDUCE_FICOCO_V / _L */
} reduce_item;

#define REDUCE_MAX_ITEMS 4

typedef struct reduce_spec {
    int count;                          /* items in use; 0 (or only "none") = no reduction */
    reduce_item items[REDUCE_MAX_ITEMS];
} reduce_spec;

/* Parses one --reduce value ("none", "fastv:k=2,r=0.5") and appends it to spec. VKVLM_ERR_USAGE with the
 * option named on anything malformed, unknown, out of range or not available in this build. */
vkvlm_status reduce_parse(reduce_spec *spec, const char *text, vkvlm_error *err);
/* Checks the spec against a model and a prompt: LLM layers, the vision layers that run (0: FiCoCo-V not
 * available, e.g. no CLS token), the image tokens of the prompt (after the vision reduction). */
vkvlm_status reduce_validate(const reduce_spec *spec, int llm_layers, int vision_layers, uint32_t image_tokens,
                             vkvlm_error *err);
/* Image tokens a vision tower of `vision_layers` layers hands on for `patches` patches under the spec. */
uint32_t reduce_vision_tokens(const reduce_spec *spec, uint32_t patches, int vision_layers);

/* What FastV did, filled after the prefill command completes (reduce_collect). */
typedef struct reduce_fastv_report {
    bool done;
    int layer;              /* K: the first layer on the shorter sequence */
    uint32_t image_tokens;  /* N */
    uint32_t kept_count;    /* rows from layer K on (text + kept image tokens) */
    float *scores;          /* [image_tokens] the scores the choice was made on */
    int32_t *kept_positions;/* [kept_count] sequence positions that survive, ascending */
} reduce_fastv_report;

/* What one FiCoCo merge layer did (host copies, filled by reduce_collect). Indices are original patch indices
 * (V) or sequence positions (L). */
typedef struct reduce_ficoco_layer {
    int layer;
    uint32_t candidates;  /* visual tokens scored */
    uint32_t removed, targets; /* r, k */
    uint32_t kept_count;
    float *scores;        /* [candidates] */
    int32_t *discarded;   /* [removed] ascending */
    int32_t *target_idx;  /* [removed * targets] best first */
    float *alpha;         /* [removed * targets] */
    int32_t *kept;        /* [kept_count] survivors, ascending (V: patches, CLS excluded; L: all rows) */
} reduce_ficoco_layer;

typedef struct reduce_ficoco_report {
    int count;                   /* merge layers recorded */
    reduce_ficoco_layer *layers; /* [count] */
} reduce_ficoco_report;

/* FiCoCo's device scratch and per-prompt bookkeeping (reduce/ficoco.c). */
typedef struct reduce_ficoco_state {
    uint32_t cap;             /* rows the scratch takes: max(vision tokens, LLM chunk rows) */
    uint32_t slots;           /* report slots: vision layers + LLM layers */
    gpu_buffer *attn;         /* f32 (cap, cap) head-mean attention */
    gpu_buffer *vlse;         /* f32 (vision heads, cap) */
    gpu_buffer *orig, *orig2; /* i32 (cap) original patch index per vision row (-1 = CLS) */
    gpu_buffer *mask, *offsets, *kept; /* u32 (cap), (cap + 1), i32 (cap) */
    gpu_buffer *src, *dst, *alpha;     /* (cap * GPU_FICOCO_MAX_TARGETS) merge pairs */
    gpu_buffer *report;       /* slots of (26 * cap) words: scores, src, dst, alpha, kept */
    /* the prompt, during recording */
    uint32_t l_v0, l_nv;      /* LLM rows of the visual tokens present (one run) */
    int pending;              /* slots recorded, read back by reduce_collect */
    struct { int layer; bool vision; uint32_t nv, r, k, kept; } slot_info[256];
    reduce_ficoco_report v, l; /* read back */
} reduce_ficoco_state;

/* ProxyV's per-prompt state (reduce/proxyv.c); the weights and scratch are the model's (models/proxyv.h). */
struct proxyv_model;
typedef struct reduce_proxyv_state {
    const struct proxyv_model *model; /* NULL: the loaded model has no ProxyV weights */
    gpu_buffer *pos;                  /* i32 (max_rows) the proxies' positions */
    uint32_t image_start;             /* position of the first image token */
    bool applied;                     /* the proxies were made in this prefill */
} reduce_proxyv_state;

/* One prompt's reduction state. */
typedef struct reduce_state {
    reduce_spec spec;
    /* the prompt */
    uint32_t prompt_len;     /* L */
    uint32_t image_tokens;   /* N: image-token positions of the prompt, ascending, in image_pos */
    bool applied;            /* the sequence was shortened during this prefill */
    uint32_t rows_per_layer_max; /* capacity of the scratch (the model's prefill chunk) */
    /* device scratch, planned with the model */
    gpu_buffer *lse;         /* f32 (q_heads, max_rows) */
    gpu_buffer *image_pos;   /* i32 (max_rows) the image tokens' positions (uploaded by reduce_begin) */
    gpu_buffer *scores;      /* f32 (max_rows) a score per sequence row */
    gpu_buffer *image_scores;/* f32 (max_rows) the scores of the image tokens only */
    gpu_buffer *mask;        /* u32 (max_rows) keep-mask over the sequence */
    gpu_buffer *offsets;     /* u32 (max_rows + 1) */
    gpu_buffer *kept;        /* i32 (max_rows) kept row indices */
    gpu_buffer *topk_kept, *topk_mask, *topk_offsets; /* (max_rows), (max_rows), (max_rows + 1) */
    gpu_buffer *x2;          /* f32 (max_rows, dim) compacted hidden states */
    gpu_buffer *pos2;        /* i32 (max_rows) compacted positions: also the kept-positions report */
    reduce_fastv_report fastv;
    reduce_ficoco_state ficoco;
    reduce_proxyv_state proxyv;
} reduce_state;

/* Plans / allocates the scratch for a decoder and, when given, a vision tower with a CLS token (with the
 * model's loader, so the memory plan counts it). */
vkvlm_status reduce_state_load(reduce_state *s, model_loader *l, const llama_model *m, const vit_model *vision,
                               vkvlm_error *err);
void reduce_state_free(reduce_state *s);
/* The loaded model's ProxyV weights (NULL: none), for --reduce proxyv. */
void reduce_state_set_proxyv(reduce_state *s, const struct proxyv_model *model);
/* True when the spec holds `method`. */
bool reduce_spec_has(const reduce_spec *spec, reduce_method method);
/* Starts a prompt: the methods to run and where the image tokens are (positions ascending, any number of
 * runs: tiles and images are separated by tags and text, which are never reduced). */
vkvlm_status reduce_begin(reduce_state *s, const reduce_spec *spec, uint32_t prompt_len, const int32_t *image_positions,
                          uint32_t image_tokens, vkvlm_error *err);
bool reduce_active(const reduce_state *s);

/* Hook: the binding LLM layer `layer` writes its attention log-sum-exp into, or a NULL binding. */
gpu_binding reduce_llm_lse(const reduce_state *s, int layer, uint32_t rows);
/* Hook: at the input of LLM layer `layer`, with `*rows` rows in the model's x and pos; may record
 * compaction and lower *rows. */
vkvlm_status reduce_llm_layer_input(reduce_state *s, llama_model *m, gpu_cmd *cmd, int layer, uint32_t *rows,
                                    vkvlm_error *err);
/* Hook: LLM layer `layer` at prefill with `rows` prompt rows in x and pos: *done is set when the method ran the
 * whole layer itself (ProxyV, layers >= its start); the caller then counts `rows` cached keys. */
vkvlm_status reduce_llm_layer(reduce_state *s, llama_model *m, gpu_cmd *cmd, int layer, uint32_t rows, bool *done,
                              vkvlm_error *err);
/* FLOPs of LLM layer `layer` of this prefill when a method replaced it, else 0. */
double reduce_llm_layer_flops(const reduce_state *s, const vkvlm_config_text *cfg, int layer, uint32_t L);
/* Hook: at LLM layer `layer` after the attention residual add, before the MLP, with `*rows` rows in x and pos
 * (prefill only: decode passes no state); may merge and lower *rows. The layer's KV cache keeps the rows its
 * attention saw. */
vkvlm_status reduce_llm_after_attention(reduce_state *s, llama_model *m, gpu_cmd *cmd, int layer, uint32_t *rows,
                                        vkvlm_error *err);
/* Hook: the binding vision layer `layer` writes its attention log-sum-exp into, or a NULL binding. */
gpu_binding reduce_vision_lse(const reduce_state *s, int layer, uint32_t rows);
/* Hook: at vision layer `layer` after the attention residual add, before the MLP, with `*rows` rows in m->h;
 * may merge and lower *rows. */
vkvlm_status reduce_vision_after_attention(reduce_state *s, vit_model *m, gpu_cmd *cmd, int layer, uint32_t *rows,
                                           vkvlm_error *err);
/* Starts the vision part of a prompt (before the image is encoded): the spec to apply. */
void reduce_vision_begin(reduce_state *s, const reduce_spec *spec);
/* After the prefill command completed: reads back what the methods report. */
vkvlm_status reduce_collect(reduce_state *s, vkvlm_error *err);

/* Rows each LLM layer processes in this prefill (for FLOPs): rows_at[layer] for a prompt of L rows. */
void reduce_rows_per_layer(const reduce_state *s, int layers, uint32_t L, uint32_t *rows_at);

#endif
