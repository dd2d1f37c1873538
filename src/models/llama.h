/* llama.h — the LLaMA-family decoder (LLaVA's Vicuna, SmolVLM's SmolLM2): RMSNorm, RoPE from a position
 * buffer, grouped-query attention against a per-layer KV cache, SwiGLU MLP, final norm and lm_head.
 *
 * Token embeddings stay in the checkpoint's memory map and are gathered on the host (a 32064 x 4096 table
 * would be 500 MiB of device memory and four bindings for a few rows per step); the caller uploads the rows
 * into state.x. Prefill runs the prompt in chunks of at most state.max_rows rows (so no activation exceeds
 * one binding); decode is prefill of one row. Each layer keeps its own KV length and key positions, so a
 * reduction method can shorten some layers' caches (FastV) while positions keep their RoPE values. */
#ifndef VKVLM_MODELS_LLAMA_H
#define VKVLM_MODELS_LLAMA_H

#include "io/config.h"
#include "models/weights.h"

typedef struct llama_layer {
    model_vector attn_norm; /* (dim) input_layernorm */
    model_linear wq;        /* (n_heads*head_dim, dim) */
    model_linear wk;        /* (n_kv_heads*head_dim, dim) */
    model_linear wv;        /* (n_kv_heads*head_dim, dim) */
    model_linear wo;        /* (dim, n_heads*head_dim) */
    model_vector ffn_norm;  /* (dim) post_attention_layernorm */
    model_linear w_gate;    /* (hidden, dim) */
    model_linear w_up;      /* (hidden, dim) */
    model_linear w_down;    /* (dim, hidden) */
    /* The same rows stacked, when the loader could (model_linear_stacked): one linear computes q|k|v, one
     * gate|up; wq, wk, wv, w_gate, w_up are then views into these buffers. */
    model_linear wqkv;      /* (n_heads*head_dim + 2*kv_dim, dim) */
    model_linear w_gate_up; /* (2*hidden, dim) */
} llama_layer;

typedef struct llama_weights {
    llama_layer *layers;                 /* [n_layers] */
    model_vector final_norm;             /* (dim) */
    model_linear lm_head;                /* (vocab, dim); embed_tokens when tied */
    model_vector inv_freq;               /* (head_dim/2) RoPE frequencies, f32 like transformers */
    const vkvlm_safetensors_tensor *embed; /* (vocab, dim) in the checkpoint map, host side */
} llama_weights;

/* The per-layer KV cache: keys after RoPE and values, token-major [capacity, kv_heads*head_dim], and the
 * position of every cached key. */
typedef struct llama_kv_layer {
    gpu_buffer *k, *v;    /* f32 [capacity, kv_dim] */
    gpu_buffer *pos;      /* int32 [capacity] positions of the cached keys */
    uint32_t len;         /* cached keys */
} llama_kv_layer;

typedef struct llama_state {
    uint32_t max_rows;      /* rows per prefill chunk */
    uint32_t capacity;      /* KV cache rows per layer (context length) */
    gpu_buffer *x;          /* (max_rows, dim) residual stream */
    gpu_buffer *xn;         /* (max_rows, dim) normed input of a block; also the block's output before the add */
    gpu_buffer *q;          /* (max_rows, n_heads*head_dim + 2*kv_dim): q, or the q|k|v rows of a stacked qkv */
    gpu_buffer *q_rot;      /* (max_rows, n_heads*head_dim) after RoPE */
    gpu_buffer *k;          /* (max_rows, kv_dim) before RoPE */
    gpu_buffer *attn;       /* (max_rows, n_heads*head_dim) */
    gpu_buffer *gate;       /* (max_rows, 2*hidden): gate, or the gate|up rows of a stacked gate_up */
    gpu_buffer *up;         /* (max_rows, hidden): up, or silu(gate)*up after a stacked gate_up */
    gpu_buffer *pos;        /* int32 (max_rows) positions of the rows in x */
    gpu_buffer *partial;    /* decode split-K scratch */
    gpu_buffer *logits;     /* (vocab) of the last row */
    gpu_buffer *argmax;     /* u32 (1): argmax of logits, for greedy steps that read back one id */
    llama_kv_layer *kv;     /* [n_layers] */
} llama_state;

typedef struct llama_model {
    vkvlm_config_text cfg;
    llama_weights w;
    llama_state s;
} llama_model;

/* Loads (or plans) weights for the decoder under `prefix` ("language_model.model" / "model.text_model"),
 * lm_head from `head_name`, and the state for `capacity` cached tokens. */
vkvlm_status llama_load(llama_model *m, model_loader *l, const vkvlm_config_text *cfg, const char *prefix,
                        const char *head_name, uint32_t capacity, vkvlm_error *err);
void llama_free(llama_model *m);

/* Writes the f32 embeddings of ids[0..count) into out (count, dim) on the host. */
vkvlm_status llama_embed_host(const llama_model *m, const int32_t *ids, uint32_t count, float *out, vkvlm_error *err);

/* What a forward pass leaves for the host. */
typedef enum llama_output {
    LLAMA_OUTPUT_NONE = 0, /* a prefill chunk before the last */
    LLAMA_OUTPUT_LOGITS,   /* the last row's logits in state.logits */
    LLAMA_OUTPUT_ARGMAX,   /* the logits and their argmax in state.argmax (greedy: read back one id) */
} llama_output;

/* Records one chunk: rows [0, rows) of state.x at positions state.pos run through every layer, appending
 * their keys to each layer's cache, then the output asked for. */
struct reduce_state;
/* reduce: the prompt's token-reduction state (NULL: none); its hooks are called at each layer's input and
 * may shorten the sequence (the cache of later layers then holds fewer rows). */
vkvlm_status llama_forward(llama_model *m, gpu_cmd *cmd, uint32_t rows, llama_output output, struct reduce_state *reduce,
                           vkvlm_error *err);

/* Forgets the cache (a new prompt). */
void llama_reset(llama_model *m);

/* Analytic FLOPs of running `rows` new tokens against `past` cached ones (matmuls + attention), SwiGLU with
 * its 3 matrices, GQA-aware K/V projections, lm_head on one row when logits. */
double llama_flops(const vkvlm_config_text *cfg, uint32_t rows, uint32_t past, bool logits);
/* FLOPs of one layer for `rows` new rows against `past` cached ones. */
double llama_layer_flops(const vkvlm_config_text *cfg, uint32_t rows, uint32_t past);
/* A single-chunk prefill of L rows as the reduction state shaped it (rows per layer), lm_head included. */
double llama_prefill_flops(const vkvlm_config_text *cfg, uint32_t L, const struct reduce_state *reduce);
/* A decode step of `rows` rows, called after the step (each layer's cache already holds them). */
double llama_decode_flops(const llama_model *m, uint32_t rows);

#endif
