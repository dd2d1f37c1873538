/* vit.c — see vit.h. */
#include "models/vit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "reduce/reduce.h"

vkvlm_status vit_load(vit_model *m, model_loader *l, vit_kind kind, const vkvlm_config_vision *cfg, const char *prefix,
                      int feature_layer, vkvlm_error *err) {
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    m->kind = kind;
    uint32_t d = (uint32_t)cfg->hidden_size, inter = (uint32_t)cfg->intermediate_size, p = (uint32_t)cfg->patch_size;
    uint32_t grid = (uint32_t)cfg->patches_per_side, patches = grid * grid;
    /* hidden_states has n+1 entries (embeddings, then each layer): index i is the output of layer i. */
    int n = cfg->num_hidden_layers;
    m->layers_run = kind == VIT_SIGLIP ? n : feature_layer < 0 ? n + 1 + feature_layer : feature_layer;
    if (m->layers_run < 0 || m->layers_run > n)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "config.json: vision_feature_layer %d is outside 0..%d",
                               feature_layer, n);
    m->first_patch = kind == VIT_CLIP ? 1 : 0;
    m->tokens = patches + m->first_patch;
    char name[256];
    vkvlm_status st;
    snprintf(name, sizeof name, "%s.embeddings.patch_embedding.weight", prefix);
    st = model_load_linear(l, name, d, 3 * p * p, &m->patch, err);
    snprintf(name, sizeof name, "%s.embeddings.position_embedding.weight", prefix);
    if (st == VKVLM_OK) st = model_load_vector(l, name, (uint64_t)m->tokens * d, &m->pos_emb, err);
    if (kind == VIT_CLIP) {
        snprintf(name, sizeof name, "%s.embeddings.class_embedding", prefix);
        if (st == VKVLM_OK) st = model_load_vector(l, name, d, &m->class_emb, err);
        snprintf(name, sizeof name, "%s.pre_layrnorm.weight", prefix); /* (sic): the checkpoint's spelling */
        if (st == VKVLM_OK) st = model_load_vector(l, name, d, &m->pre_ln_w, err);
        snprintf(name, sizeof name, "%s.pre_layrnorm.bias", prefix);
        if (st == VKVLM_OK) st = model_load_vector(l, name, d, &m->pre_ln_b, err);
    } else {
        snprintf(name, sizeof name, "%s.embeddings.patch_embedding.bias", prefix);
        if (st == VKVLM_OK) st = model_load_vector(l, name, d, &m->patch_b, err);
        snprintf(name, sizeof name, "%s.post_layernorm.weight", prefix);
        if (st == VKVLM_OK) st = model_load_vector(l, name, d, &m->post_ln_w, err);
        snprintf(name, sizeof name, "%s.post_layernorm.bias", prefix);
        if (st == VKVLM_OK) st = model_load_vector(l, name, d, &m->post_ln_b, err);
    }
    if (st != VKVLM_OK) return st;
    m->layers = calloc((size_t)(m->layers_run ? m->layers_run : 1), sizeof *m->layers);
    if (!m->layers) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "clip: out of host memory");
    for (int i = 0; i < m->layers_run && st == VKVLM_OK; i++) {
        vit_layer *L = &m->layers[i];
        struct { const char *suffix; model_linear *w; model_vector *b; uint32_t n, k; } lin[] = {
            {"self_attn.q_proj", &L->wq, &L->bq, d, d},    {"self_attn.k_proj", &L->wk, &L->bk, d, d},
            {"self_attn.v_proj", &L->wv, &L->bv, d, d},    {"self_attn.out_proj", &L->wo, &L->bo, d, d},
            {"mlp.fc1", &L->fc1, &L->fc1_b, inter, d},     {"mlp.fc2", &L->fc2, &L->fc2_b, d, inter},
        };
        for (size_t j = 0; j < sizeof lin / sizeof lin[0] && st == VKVLM_OK; j++) {
            snprintf(name, sizeof name, "%s.encoder.layers.%d.%s.weight", prefix, i, lin[j].suffix);
            st = model_load_linear(l, name, lin[j].n, lin[j].k, lin[j].w, err);
            snprintf(name, sizeof name, "%s.encoder.layers.%d.%s.bias", prefix, i, lin[j].suffix);
            if (st == VKVLM_OK) st = model_load_vector(l, name, lin[j].n, lin[j].b, err);
        }
        struct { const char *suffix; model_vector *v; } norms[] = {
            {"layer_norm1.weight", &L->ln1_w}, {"layer_norm1.bias", &L->ln1_b},
            {"layer_norm2.weight", &L->ln2_w}, {"layer_norm2.bias", &L->ln2_b},
        };
        for (size_t j = 0; j < sizeof norms / sizeof norms[0] && st == VKVLM_OK; j++) {
            snprintf(name, sizeof name, "%s.encoder.layers.%d.%s", prefix, i, norms[j].suffix);
            st = model_load_vector(l, name, d, norms[j].v, err);
        }
    }
    uint64_t t = m->tokens;
    struct { gpu_buffer **buf; uint64_t bytes; const char *label; } bufs[] = {
        {&m->patches, (uint64_t)patches * 3 * p * p * 4, "clip.patches"},
        {&m->h, t * d * 4, "clip.h"}, {&m->hn, t * d * 4, "clip.hn"}, {&m->q, t * d * 4, "clip.q"},
        {&m->k, t * d * 4, "clip.k"}, {&m->v, t * d * 4, "clip.v"}, {&m->attn, t * d * 4, "clip.attn"},
        {&m->mlp, t * inter * 4, "clip.mlp"},
    };
    for (size_t j = 0; j < sizeof bufs / sizeof bufs[0] && st == VKVLM_OK; j++)
        st = model_buffer(l, bufs[j].bytes, bufs[j].label, bufs[j].buf, err);
    return st;
}

void vit_free(vit_model *m) {
    if (!m) return;
    for (int i = 0; m->layers && i < m->layers_run; i++) {
        vit_layer *L = &m->layers[i];
        model_linear *lins[] = {&L->wq, &L->wk, &L->wv, &L->wo, &L->fc1, &L->fc2};
        model_vector *vecs[] = {&L->bq, &L->bk, &L->bv, &L->bo, &L->fc1_b, &L->fc2_b, &L->ln1_w, &L->ln1_b, &L->ln2_w, &L->ln2_b};
        for (size_t j = 0; j < sizeof lins / sizeof lins[0]; j++) model_linear_free(lins[j]);
        for (size_t j = 0; j < sizeof vecs / sizeof vecs[0]; j++) model_vector_free(vecs[j]);
    }
    free(m->layers);
    model_linear_free(&m->patch);
    model_vector *vecs[] = {&m->class_emb, &m->pos_emb, &m->pre_ln_w, &m->pre_ln_b, &m->patch_b, &m->post_ln_w, &m->post_ln_b};
    for (size_t j = 0; j < sizeof vecs / sizeof vecs[0]; j++) model_vector_free(vecs[j]);
    gpu_buffer *bufs[] = {m->patches, m->h, m->hn, m->q, m->k, m->v, m->attn, m->mlp};
    for (size_t j = 0; j < sizeof bufs / sizeof bufs[0]; j++) gpu_buffer_destroy(bufs[j]);
    memset(m, 0, sizeof *m);
}

vkvlm_status vit_forward(vit_model *m, gpu_cmd *cmd, gpu_binding pixels, vkvlm_error *err) {
    return vit_forward_reduced(m, cmd, pixels, NULL, err);
}

vkvlm_status vit_forward_reduced(vit_model *m, gpu_cmd *cmd, gpu_binding pixels, reduce_state *reduce,
                                 vkvlm_error *err) {
    const vkvlm_config_vision *c = &m->cfg;
    uint32_t d = (uint32_t)c->hidden_size, inter = (uint32_t)c->intermediate_size, t = m->tokens;
    uint32_t heads = (uint32_t)c->num_attention_heads, patches = t - m->first_patch;
    float eps = (float)c->layer_norm_eps;
    gpu_binding h = gpu_whole(m->h), hn = gpu_whole(m->hn);
    gpu_binding q = gpu_whole(m->q), k = gpu_whole(m->k), v = gpu_whole(m->v), attn = gpu_whole(m->attn);
    gpu_binding mlp = gpu_whole(m->mlp), none = {0};
    gpu_attention_desc a = {.q_len = t, .kv_len = t, .q_heads = heads, .kv_heads = heads,
                            .head_dim = (uint32_t)c->head_dim, .causal = false};

    /* embeddings: conv(pixels) (+ bias), after CLIP's class token, + positions; CLIP's pre-LayerNorm */
    vkvlm_status st = gpu_op_patch_im2col_f32(cmd, gpu_whole(m->patches), pixels, 3, (uint32_t)c->image_size,
                                              (uint32_t)c->image_size, (uint32_t)c->patch_size, err);
    gpu_binding patch_rows = {m->h, (uint64_t)m->first_patch * d * 4, (uint64_t)patches * d * 4};
    gpu_binding patch_bias = m->kind == VIT_SIGLIP ? model_vec(&m->patch_b) : none;
    if (st == VKVLM_OK) st = gpu_op_linear(cmd, patch_rows, gpu_whole(m->patches), &m->patch.view, patch_bias, patches, NULL, err);
    if (st == VKVLM_OK && m->kind == VIT_CLIP) st = gpu_cmd_copy(cmd, m->h, 0, m->class_emb.buffer, 0, (uint64_t)d * 4, err);
    if (st == VKVLM_OK) st = gpu_op_add_inplace_f32(cmd, h, model_vec(&m->pos_emb), t * d, t * d, err);
    if (st == VKVLM_OK && m->kind == VIT_CLIP) {
        st = gpu_op_layernorm_f32(cmd, hn, h, model_vec(&m->pre_ln_w), model_vec(&m->pre_ln_b), t, d, eps, err);
        if (st == VKVLM_OK) st = gpu_cmd_copy(cmd, m->h, 0, m->hn, 0, (uint64_t)t * d * 4, err);
    }

    for (int i = 0; i < m->layers_run && st == VKVLM_OK; i++) {
        vit_layer *L = &m->layers[i];
        if (i < (int)(sizeof m->rows_at / sizeof m->rows_at[0])) m->rows_at[i] = t;
        a.q_len = a.kv_len = t;
        /* h += out_proj(attention(q, k, v)) on LN1(h) */
        st = gpu_op_layernorm_f32(cmd, hn, h, model_vec(&L->ln1_w), model_vec(&L->ln1_b), t, d, eps, err);
        if (st == VKVLM_OK) st = gpu_op_linear(cmd, q, hn, &L->wq.view, model_vec(&L->bq), t, NULL, err);
        if (st == VKVLM_OK) st = gpu_op_linear(cmd, k, hn, &L->wk.view, model_vec(&L->bk), t, NULL, err);
        if (st == VKVLM_OK) st = gpu_op_linear(cmd, v, hn, &L->wv.view, model_vec(&L->bv), t, NULL, err);
        gpu_binding lse = reduce_vision_lse(reduce, i, t);
        if (st == VKVLM_OK) st = gpu_op_attention_prefill_f32(cmd, attn, lse, q, k, v, none, none, &a, err);
        /* the residual adds are fused into out_proj and fc2: h += x . w^T + b */
        const gpu_linear_opts residual = {.accumulate = true};
        if (st == VKVLM_OK) st = gpu_op_linear(cmd, h, attn, &L->wo.view, model_vec(&L->bo), t, &residual, err);
        /* reduction hook: tokens may be merged away here, before the MLP */
        if (st == VKVLM_OK) st = reduce_vision_after_attention(reduce, m, cmd, i, &t, err);
        /* h += fc2(quick_gelu(fc1(LN2(h)))) */
        if (st == VKVLM_OK) st = gpu_op_layernorm_f32(cmd, hn, h, model_vec(&L->ln2_w), model_vec(&L->ln2_b), t, d, eps, err);
        if (st == VKVLM_OK) st = gpu_op_linear(cmd, mlp, hn, &L->fc1.view, model_vec(&L->fc1_b), t, NULL, err);
        if (st == VKVLM_OK) {
            if (c->hidden_act == VKVLM_CONFIG_ACT_QUICK_GELU) st = gpu_op_quick_gelu_f32(cmd, mlp, mlp, t * inter, err);
            else if (c->hidden_act == VKVLM_CONFIG_ACT_GELU) st = gpu_op_gelu_f32(cmd, mlp, mlp, t * inter, err);
            else if (c->hidden_act == VKVLM_CONFIG_ACT_GELU_TANH) st = gpu_op_gelu_tanh_f32(cmd, mlp, mlp, t * inter, err);
            else st = vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "vision tower: activation %s is not supported",
                                      vkvlm_config_act_name(c->hidden_act));
        }
        if (st == VKVLM_OK) st = gpu_op_linear(cmd, h, mlp, &L->fc2.view, model_vec(&L->fc2_b), t, &residual, err);
    }
    /* SigLIP: post_layernorm on the last layer's output (back into h, where the features are read) */
    if (st == VKVLM_OK && m->kind == VIT_SIGLIP) {
        st = gpu_op_layernorm_f32(cmd, hn, h, model_vec(&m->post_ln_w), model_vec(&m->post_ln_b), t, d, eps, err);
        if (st == VKVLM_OK) st = gpu_cmd_copy(cmd, m->h, 0, m->hn, 0, (uint64_t)t * d * 4, err);
    }
    m->tokens_out = t;
    return st;
}

static double layer_flops(const vit_model *m, double t) {
    double d = m->cfg.hidden_size, inter = m->cfg.intermediate_size;
    return 2.0 * t * (4 * d * d + 2 * d * inter) + 4.0 * t * t * d;
}

double vit_flops(const vit_model *m) {
    double d = m->cfg.hidden_size, t = m->tokens, p = m->cfg.patch_size;
    return 2.0 * (t - m->first_patch) * d * 3 * p * p + m->layers_run * layer_flops(m, t);
}

double vit_flops_actual(const vit_model *m) {
    double d = m->cfg.hidden_size, t = m->tokens, p = m->cfg.patch_size;
    double total = 2.0 * (t - m->first_patch) * d * 3 * p * p;
    /* a merge layer's attention runs on its input rows, its MLP on the survivors: counted at the input */
    for (int i = 0; i < m->layers_run; i++)
        total += layer_flops(m, i < (int)(sizeof m->rows_at / sizeof m->rows_at[0]) && m->rows_at[i] ? m->rows_at[i] : t);
    return total;
}
