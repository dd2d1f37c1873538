/* proxyv.c — see proxyv.h. The layer reads top to bottom like ProxyV's decoder_forward (PROXYV.md section 5),
 * one op per line. */
#include "models/proxyv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"

vkvlm_status proxyv_load(proxyv_model *p, model_loader *l, const vkvlm_config *cfg, uint32_t image_rows,
                         vkvlm_error *err) {
    memset(p, 0, sizeof *p);
    const vkvlm_config_proxyv *c = &cfg->proxyv;
    if (!c->enabled) return VKVLM_OK;
    if (c->learn_proxy)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "config.json: learn_proxy (ProxyV's non-spatial variant) is "
                               "not supported yet");
    if ((uint32_t)c->per_crop_token_len != image_rows)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "config.json: per_crop_token_len %d differs from the tower's %u "
                               "image tokens", c->per_crop_token_len, image_rows);
    uint32_t g = 0;
    while ((g + 1) * (g + 1) <= image_rows) g++;
    if (g * g != image_rows || c->reduce_factor < 1 || g % (uint32_t)c->reduce_factor)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "config.json: %u image tokens are no square grid divisible by "
                               "proxyv_reduce_factor %d", image_rows, c->reduce_factor);
    p->start_layer = c->start_layer;
    p->factor = c->reduce_factor;
    p->grid = g;
    p->proxies = (g / (uint32_t)p->factor) * (g / (uint32_t)p->factor);
    p->image_rows = image_rows;
    p->count = cfg->text.num_hidden_layers - c->start_layer;
    uint32_t d = (uint32_t)cfg->text.hidden_size;
    /* d_i from the tensor shapes, not hidden_size_reduce_factor (written but unused by ProxyV's code) */
    const vkvlm_safetensors_tensor *probe = vkvlm_checkpoint_find(l->ck, "model.vision_mlp_layers.0.input_proj.weight");
    if (!probe || probe->ndim != 2 || probe->shape[1] != d || probe->shape[0] == 0)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "checkpoint: proxyv is true but model.vision_mlp_layers.0."
                               "input_proj.weight [d_i, %u] is missing or misshaped", d);
    p->width = (uint32_t)probe->shape[0];
    p->mlp = calloc((size_t)p->count, sizeof *p->mlp);
    if (!p->mlp) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "proxyv: out of host memory");
    p->loaded = true;
    uint32_t di = p->width;
    vkvlm_status st = VKVLM_OK;
    char name[160];
    for (int i = 0; i < p->count && st == VKVLM_OK; i++) {
        proxyv_mlp *M = &p->mlp[i];
        struct { const char *suffix; model_linear *w; uint32_t n, k; } lin[] = {
            {"context_proj", &M->context_proj, di, d}, {"input_proj", &M->input_proj, di, d},
            {"proj.0", &M->proj0, di, 2 * di},         {"proj.2", &M->proj2, d, di},
        };
        for (size_t j = 0; j < sizeof lin / sizeof lin[0] && st == VKVLM_OK; j++) {
            snprintf(name, sizeof name, "model.vision_mlp_layers.%d.%s.weight", i, lin[j].suffix);
            st = model_load_linear(l, name, lin[j].n, lin[j].k, lin[j].w, err);
        }
        snprintf(name, sizeof name, "model.vision_mlp_layers.%d.layernorm_post.weight", i);
        if (st == VKVLM_OK) st = model_load_vector(l, name, d, &M->post_norm, err);
    }
    uint64_t N = image_rows, np = p->proxies;
    if (st == VKVLM_OK) st = model_buffer(l, (N + np) * di * 4, "proxyv.cat_src", &p->cat_src, err);
    if (st == VKVLM_OK) st = model_buffer(l, 2 * N * di * 4, "proxyv.cat", &p->cat, err);
    if (st == VKVLM_OK) st = model_buffer(l, 2 * N * 4, "proxyv.cat_idx", &p->cat_idx, err);
    if (st == VKVLM_OK) st = model_buffer(l, N * di * 4, "proxyv.hidden", &p->hidden, err);
    if (st == VKVLM_OK) st = model_buffer(l, N * d * 4, "proxyv.out", &p->out, err);
    if (st != VKVLM_OK || l->plan_only) return st;
    /* the concat-and-upsample gather: image row i = (y, x) of the grid takes proxy (y/f, x/f) */
    int32_t *idx = malloc(2 * N * sizeof *idx);
    if (!idx) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "proxyv: out of host memory");
    uint32_t side = g / (uint32_t)p->factor;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t y = i / g, x = i % g;
        idx[2 * i] = (int32_t)i;
        idx[2 * i + 1] = (int32_t)(N + (y / (uint32_t)p->factor) * side + x / (uint32_t)p->factor);
    }
    st = gpu_buffer_write(p->cat_idx, 0, idx, 2 * N * sizeof *idx, err);
    free(idx);
    return st;
}

void proxyv_free(proxyv_model *p) {
    if (!p) return;
    for (int i = 0; p->mlp && i < p->count; i++) {
        proxyv_mlp *M = &p->mlp[i];
        model_linear_free(&M->context_proj);
        model_linear_free(&M->input_proj);
        model_linear_free(&M->proj0);
        model_linear_free(&M->proj2);
        model_vector_free(&M->post_norm);
    }
    free(p->mlp);
    gpu_buffer *bufs[] = {p->cat_src, p->cat, p->cat_idx, p->hidden, p->out};
    for (size_t j = 0; j < sizeof bufs / sizeof bufs[0]; j++) gpu_buffer_destroy(bufs[j]);
    memset(p, 0, sizeof *p);
}

/* A binding of rows [row, row+count) of a buffer whose rows are `width` 4-byte elements. */
static gpu_binding rows_of(gpu_buffer *buf, uint32_t row, uint32_t count, uint32_t width) {
    return (gpu_binding){buf, (uint64_t)row * width * 4, (uint64_t)count * width * 4};
}

static const gpu_binding no_bias = {0};

vkvlm_status proxyv_init_proxies(const proxyv_model *p, llama_model *m, gpu_cmd *cmd, uint32_t L, vkvlm_error *err) {
    uint32_t d = (uint32_t)m->cfg.hidden_size, side = p->grid / (uint32_t)p->factor;
    return gpu_op_grid_bilinear_f32(cmd, rows_of(m->s.x, L, p->proxies, d), rows_of(m->s.x, 0, p->image_rows, d), p->grid,
                                    p->grid, side, side, d, err);
}

vkvlm_status proxyv_layer_forward(const proxyv_model *p, llama_model *m, gpu_cmd *cmd, int layer, uint32_t L,
                                  vkvlm_error *err) {
    const vkvlm_config_text *c = &m->cfg;
    llama_state *s = &m->s;
    const llama_layer *W = &m->w.layers[layer];
    const proxyv_mlp *M = &p->mlp[layer - p->start_layer];
    llama_kv_layer *kv = &s->kv[layer];
    uint32_t d = (uint32_t)c->hidden_size, hidden = (uint32_t)c->intermediate_size, hd = (uint32_t)c->head_dim;
    uint32_t heads = (uint32_t)c->num_attention_heads, kv_heads = (uint32_t)c->num_key_value_heads;
    uint32_t qd = heads * hd, kvd = kv_heads * hd, di = p->width;
    uint32_t N = p->image_rows, R = L + p->proxies, nq = R - N, nrest = L - N;
    float eps = (float)c->rms_norm_eps;
    if (kv->len != 0 || R > s->max_rows || R > s->capacity)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "proxyv: the prompt (%u rows) and its %u proxies must fit one prefill "
                               "chunk of %u rows and the context of %u", L, p->proxies, s->max_rows, s->capacity);
    gpu_binding inv_freq = model_vec(&m->w.inv_freq);
    gpu_binding x_all = rows_of(s->x, 0, R, d), xn_all = rows_of(s->xn, 0, R, d);
    gpu_binding x_q = rows_of(s->x, N, nq, d), xn_q = rows_of(s->xn, N, nq, d);
    gpu_binding x_img = rows_of(s->x, 0, N, d);
    gpu_binding q = rows_of(s->q, 0, nq, qd), q_rot = rows_of(s->q_rot, 0, nq, qd), attn = rows_of(s->attn, 0, nq, qd);
    gpu_binding k = rows_of(s->k, 0, R, kvd);
    gpu_binding gate = rows_of(s->gate, 0, nq, hidden), up = rows_of(s->up, 0, nq, hidden);
    gpu_binding pos_all = rows_of(s->pos, 0, R, 1), pos_q = rows_of(s->pos, N, nq, 1);

    /* K and V of every row (image rows too: text reads them), Q of the rest and the proxies only */
    vkvlm_status st = gpu_op_rmsnorm_f32(cmd, xn_all, x_all, model_vec(&W->attn_norm), R, d, eps, err);
    if (st == VKVLM_OK) st = gpu_op_linear(cmd, q, xn_q, &W->wq.view, no_bias, nq, NULL, err);
    if (st == VKVLM_OK) st = gpu_op_linear(cmd, k, xn_all, &W->wk.view, no_bias, R, NULL, err);
    if (st == VKVLM_OK) st = gpu_op_linear(cmd, rows_of(kv->v, 0, R, kvd), xn_all, &W->wv.view, no_bias, R, NULL, err);
    if (st == VKVLM_OK) st = gpu_op_rope_f32(cmd, q_rot, q, pos_q, inv_freq, nq, heads, hd, 0, 0, err);
    if (st == VKVLM_OK) st = gpu_op_rope_f32(cmd, rows_of(kv->k, 0, R, kvd), k, pos_all, inv_freq, R, kv_heads, hd, 0, 0, err);
    if (st == VKVLM_OK) st = gpu_cmd_copy(cmd, kv->pos, 0, s->pos, 0, (uint64_t)R * 4, err);

    /* the role blocks as two position-causal calls: rest rows over [image; rest] (no proxies), proxies over
     * [rest; proxies] (no image rows; of the rest only the pre-image text lies at or before their positions) */
    gpu_attention_desc a = {.q_len = nrest, .kv_len = L, .q_heads = heads, .kv_heads = kv_heads, .head_dim = hd,
                            .causal = true};
    if (st == VKVLM_OK)
        st = gpu_op_attention_prefill_f32(cmd, rows_of(s->attn, 0, nrest, qd), (gpu_binding){0},
                                          rows_of(s->q_rot, 0, nrest, qd), rows_of(kv->k, 0, L, kvd),
                                          rows_of(kv->v, 0, L, kvd), rows_of(s->pos, N, nrest, 1),
                                          rows_of(kv->pos, 0, L, 1), &a, err);
    a.q_len = p->proxies;
    a.kv_len = nq;
    if (st == VKVLM_OK)
        st = gpu_op_attention_prefill_f32(cmd, rows_of(s->attn, nrest, p->proxies, qd), (gpu_binding){0},
                                          rows_of(s->q_rot, nrest, p->proxies, qd), rows_of(kv->k, N, nq, kvd),
                                          rows_of(kv->v, N, nq, kvd), rows_of(s->pos, L, p->proxies, 1),
                                          rows_of(kv->pos, N, nq, 1), &a, err);
    /* O projection, residual, MLP: the rest and the proxies only */
    if (st == VKVLM_OK) st = gpu_op_linear(cmd, xn_q, attn, &W->wo.view, no_bias, nq, NULL, err);
    if (st == VKVLM_OK) st = gpu_op_add_inplace_f32(cmd, x_q, xn_q, nq * d, nq * d, err);
    if (st == VKVLM_OK) st = gpu_op_rmsnorm_f32(cmd, xn_q, x_q, model_vec(&W->ffn_norm), nq, d, eps, err);
    if (st == VKVLM_OK) st = gpu_op_linear(cmd, gate, xn_q, &W->w_gate.view, no_bias, nq, NULL, err);
    if (st == VKVLM_OK) st = gpu_op_linear(cmd, up, xn_q, &W->w_up.view, no_bias, nq, NULL, err);
    if (st == VKVLM_OK) st = gpu_op_swiglu_f32(cmd, gate, gate, up, nq, hidden, err);
    if (st == VKVLM_OK) st = gpu_op_linear(cmd, xn_q, gate, &W->w_down.view, no_bias, nq, NULL, err);
    if (st == VKVLM_OK) st = gpu_op_add_inplace_f32(cmd, x_q, xn_q, nq * d, nq * d, err);

    /* VisionMLP: image <- RMSNorm_post(proj2(silu(proj0([input_proj(image_in); up(context_proj(proxies))]))) +
     * image_in); the image rows in x are still the ones entering this layer */
    gpu_binding cat_src = gpu_whole(p->cat_src), cat = rows_of(p->cat, 0, N, 2 * di);
    gpu_binding hid = rows_of(p->hidden, 0, N, di), out = rows_of(p->out, 0, N, d);
    if (st == VKVLM_OK) st = gpu_op_linear(cmd, rows_of(p->cat_src, 0, N, di), x_img, &M->input_proj.view, no_bias, N, NULL, err);
    if (st == VKVLM_OK)
        st = gpu_op_linear(cmd, rows_of(p->cat_src, N, p->proxies, di), rows_of(s->x, L, p->proxies, d),
                           &M->context_proj.view, no_bias, p->proxies, NULL, err);
    if (st == VKVLM_OK)
        st = gpu_op_gather_rows(cmd, rows_of(p->cat, 0, 2 * N, di), cat_src, gpu_whole(p->cat_idx), 2 * N, di,
                                N + p->proxies, err);
    if (st == VKVLM_OK) st = gpu_op_linear(cmd, hid, cat, &M->proj0.view, no_bias, N, NULL, err);
    if (st == VKVLM_OK) st = gpu_op_silu_f32(cmd, hid, hid, N * di, err);
    if (st == VKVLM_OK) st = gpu_op_linear(cmd, out, hid, &M->proj2.view, no_bias, N, NULL, err);
    if (st == VKVLM_OK) st = gpu_op_add_inplace_f32(cmd, out, x_img, N * d, N * d, err);
    if (st == VKVLM_OK) st = gpu_op_rmsnorm_f32(cmd, x_img, out, model_vec(&M->post_norm), N, d, eps, err);
    return st;
}

double proxyv_layer_flops(const proxyv_model *p, const vkvlm_config_text *c, uint32_t L, uint32_t s) {
    double d = c->hidden_size, m = c->intermediate_size, di = p->width;
    double qd = (double)c->num_attention_heads * c->head_dim, kvd = (double)c->num_key_value_heads * c->head_dim;
    double N = p->image_rows, np = p->proxies, rest = (double)L - N, q = rest + np, kv = L + np;
    /* keys each query sees: a rest row all image rows and the causal half of the rest; a proxy the pre-image
     * text and the causal half of the proxies */
    double keys = rest * N + rest * (rest + 1) / 2.0 + np * s + np * (np + 1) / 2.0;
    double macs = 2 * kv * d * kvd + 2 * q * d * qd + 3 * q * d * m + N * (d * di + 2 * di * di + di * d) + np * d * di;
    return 2.0 * macs + 4.0 * qd * keys;
}
