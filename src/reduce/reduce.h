/* reduce.h — the token-reduction framework: parsing `--reduce SPEC`, the state the methods share during one
 * prompt, and the hook points the model graphs call by name.
 *
 * Hooks (explicit calls in the forward passes, never registered callbacks):
 *   reduce_llm_lse(state, layer)           — the LLM layer whose attention must also write its log-sum-exp
 *   reduce_llm_layer_input(state, ...)     — at the input of LLM layer l: may shorten the sequence in place
 * Later methods add their hooks here (after a vision layer, between attention and MLP), one file each.
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

typedef enum reduce_method {
    REDUCE_NONE = 0,
    REDUCE_FASTV,
} reduce_method;

typedef struct reduce_item {
    reduce_method method;
    int fastv_k;      /* FastV: scores from layer k-1, image tokens removed from layer k on (1 <= k < layers) */
    double fastv_r;   /* FastV: fraction of image tokens removed, 0 <= r < 1 */
} reduce_item;

#define REDUCE_MAX_ITEMS 4

typedef struct reduce_spec {
    int count;                          /* items in use; 0 (or only "none") = no reduction */
    reduce_item items[REDUCE_MAX_ITEMS];
} reduce_spec;

/* Parses one --reduce value ("none", "fastv:k=2,r=0.5") and appends it to spec. VKVLM_ERR_USAGE with the
 * option named on anything malformed, unknown, out of range or not available in this build. */
vkvlm_status reduce_parse(reduce_spec *spec, const char *text, vkvlm_error *err);
/* Checks the spec against a model (layer counts) and a prompt (an image span to reduce). */
vkvlm_status reduce_validate(const reduce_spec *spec, int llm_layers, uint32_t image_tokens, vkvlm_error *err);

/* What FastV did, filled after the prefill command completes (reduce_collect). */
typedef struct reduce_fastv_report {
    bool done;
    int layer;              /* K: the first layer on the shorter sequence */
    uint32_t image_tokens;  /* N */
    uint32_t kept_count;    /* rows from layer K on (text + kept image tokens) */
    float *scores;          /* [image_tokens] the scores the choice was made on */
    int32_t *kept_positions;/* [kept_count] sequence positions that survive, ascending */
} reduce_fastv_report;

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
} reduce_state;

/* Plans / allocates the scratch for a decoder (with the model's loader, so the memory plan counts it). */
vkvlm_status reduce_state_load(reduce_state *s, model_loader *l, const llama_model *m, vkvlm_error *err);
void reduce_state_free(reduce_state *s);
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
/* After the prefill command completed: reads back what the methods report. */
vkvlm_status reduce_collect(reduce_state *s, vkvlm_error *err);

/* Rows each LLM layer processes in this prefill (for FLOPs): rows_at[layer] for a prompt of L rows. */
void reduce_rows_per_layer(const reduce_state *s, int layers, uint32_t L, uint32_t *rows_at);

#endif
