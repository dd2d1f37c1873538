/* vit.h — the vision transformers of the supported families, one graph with two flavours:
 *   CLIP (LLaVA):    patch conv without bias, class token, positions, pre-LayerNorm, pre-LN blocks; only the
 *                    layers up to the selected feature layer run (LLaVA takes hidden_states[-2], so the last
 *                    block and post_layernorm are never computed or loaded).
 *   SigLIP (Idefics3 / SmolVLM): patch conv with bias, no class token, no pre-LN, every layer, then
 *                    post_layernorm.
 * Blocks: LN1, bidirectional multi-head attention with biases, residual, LN2, MLP (quick_gelu, gelu or
 * gelu_tanh as configured), residual. One image (tile) per forward: the caller loops tiles. */
#ifndef VKVLM_MODELS_VIT_H
#define VKVLM_MODELS_VIT_H

#include "io/config.h"
#include "models/weights.h"

struct reduce_state;

typedef struct vit_layer {
    model_vector ln1_w, ln1_b;              /* (d_v) layer_norm1 */
    model_linear wq, wk, wv, wo;            /* (d_v, d_v) */
    model_vector bq, bk, bv, bo;            /* (d_v) */
    model_vector ln2_w, ln2_b;              /* (d_v) layer_norm2 */
    model_linear fc1;                       /* (inter, d_v) */
    model_vector fc1_b;                     /* (inter) */
    model_linear fc2;                       /* (d_v, inter) */
    model_vector fc2_b;                     /* (d_v) */
} vit_layer;

typedef enum vit_kind { VIT_CLIP = 0, VIT_SIGLIP } vit_kind;

typedef struct vit_model {
    vkvlm_config_vision cfg;
    vit_kind kind;
    int layers_run;               /* encoder layers computed: the feature layer's index */
    uint32_t tokens;              /* CLIP: 1 + patches; SigLIP: patches */
    uint32_t first_patch;         /* row of the first patch in h: 1 after CLIP's class token, else 0 */
    uint32_t tokens_out;          /* rows of h after the last forward (fewer than tokens after FiCoCo-V) */
    uint32_t rows_at[256];        /* rows each layer ran on in the last forward (for FLOPs) */
    model_linear patch;           /* (d_v, 3*p*p) conv weight viewed as a linear layer */
    model_vector patch_b;         /* (d_v) SigLIP's conv bias */
    model_vector class_emb;       /* (d_v) CLIP */
    model_vector pos_emb;         /* (tokens, d_v) */
    model_vector pre_ln_w, pre_ln_b;   /* (d_v) CLIP */
    model_vector post_ln_w, post_ln_b; /* (d_v) SigLIP */
    vit_layer *layers;           /* [layers_run] */
    /* state (one tile) */
    gpu_buffer *patches;          /* (patches, 3*p*p) */
    gpu_buffer *h;                /* (tokens, d_v) residual stream; rows 1.. are the features */
    gpu_buffer *hn;               /* (tokens, d_v) */
    gpu_buffer *q, *k, *v, *attn; /* (tokens, d_v) */
    gpu_buffer *mlp;              /* (tokens, inter) */
} vit_model;

/* feature_layer: transformers' vision_feature_layer (negative counts from the end, -1 = last layer); SigLIP
 * always runs every layer and post_layernorm. */
vkvlm_status vit_load(vit_model *m, model_loader *l, vit_kind kind, const vkvlm_config_vision *cfg, const char *prefix,
                      int feature_layer, vkvlm_error *err);
void vit_free(vit_model *m);
/* Records the tower on `pixels` (3, S, S); afterwards m->h holds the features: CLIP hidden_states[feature_layer]
 * (row 0 = CLS), SigLIP post_layernorm(last layer). */
vkvlm_status vit_forward(vit_model *m, gpu_cmd *cmd, gpu_binding pixels, vkvlm_error *err);
/* The same with the token-reduction hooks (reduce NULL: none): between each layer's attention residual and its
 * MLP the sequence may shrink; afterwards m->tokens_out rows of m->h hold the features. */
vkvlm_status vit_forward_reduced(vit_model *m, gpu_cmd *cmd, gpu_binding pixels, struct reduce_state *reduce,
                                 vkvlm_error *err);
double vit_flops(const vit_model *m);
/* FLOPs of the last forward, with the rows each layer actually ran on. */
double vit_flops_actual(const vit_model *m);

#endif
