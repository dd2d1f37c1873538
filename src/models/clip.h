/* clip.h — the CLIP ViT vision tower of LLaVA: patch convolution (im2col + linear, no bias), class token,
 * position embeddings, pre-LayerNorm, pre-LN encoder blocks (bidirectional attention with biases,
 * quick_gelu MLP). Only the layers up to the selected feature layer run: LLaVA takes hidden_states[-2],
 * so the last block (and post_layernorm) are never computed or loaded. */
#ifndef VKVLM_MODELS_CLIP_H
#define VKVLM_MODELS_CLIP_H

#include "io/config.h"
#include "models/weights.h"

typedef struct clip_layer {
    model_vector ln1_w, ln1_b;              /* (d_v) layer_norm1 */
    model_linear wq, wk, wv, wo;            /* (d_v, d_v) */
    model_vector bq, bk, bv, bo;            /* (d_v) */
    model_vector ln2_w, ln2_b;              /* (d_v) layer_norm2 */
    model_linear fc1;                       /* (inter, d_v) */
    model_vector fc1_b;                     /* (inter) */
    model_linear fc2;                       /* (d_v, inter) */
    model_vector fc2_b;                     /* (d_v) */
} clip_layer;

typedef struct clip_model {
    vkvlm_config_vision cfg;
    int layers_run;               /* encoder layers computed: the feature layer's index */
    uint32_t tokens;              /* 1 + patches */
    model_linear patch;           /* (d_v, 3*p*p) conv weight viewed as a linear layer */
    model_vector class_emb;       /* (d_v) */
    model_vector pos_emb;         /* (tokens, d_v) */
    model_vector pre_ln_w, pre_ln_b; /* (d_v) */
    clip_layer *layers;           /* [layers_run] */
    /* state */
    gpu_buffer *pixels;           /* (3, S, S) */
    gpu_buffer *patches;          /* (patches, 3*p*p) */
    gpu_buffer *h;                /* (tokens, d_v) residual stream; rows 1.. are the features */
    gpu_buffer *hn;               /* (tokens, d_v) */
    gpu_buffer *q, *k, *v, *attn; /* (tokens, d_v) */
    gpu_buffer *mlp;              /* (tokens, inter) */
} clip_model;

/* feature_layer: transformers' vision_feature_layer (negative counts from the end, -1 = last layer). */
vkvlm_status clip_load(clip_model *m, model_loader *l, const vkvlm_config_vision *cfg, const char *prefix,
                       int feature_layer, vkvlm_error *err);
void clip_free(clip_model *m);
/* Records the tower on m->pixels; afterwards m->h holds hidden_states[feature_layer] (row 0 = CLS). */
vkvlm_status clip_forward(clip_model *m, gpu_cmd *cmd, vkvlm_error *err);
double clip_flops(const clip_model *m);

#endif
