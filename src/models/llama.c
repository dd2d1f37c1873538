/* llama.c — see llama.h. The forward pass reads top to bottom like the model: one op per line. */
#include "models/llama.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "reduce/reduce.h"

static uint32_t kv_dim(const vkvlm_config_text *c) { return (uint32_t)(c->num_key_value_heads * c->head_dim); }
static uint32_t q_dim(const vkvlm_config_text *c) { return (uint32_t)(c->num_attention_heads * c->head_dim); }

/* Rows per prefill chunk: as many as fit one binding for the widest activation, at most 2048. */
static uint32_t chunk_rows(const vkvlm_config_text *c, uint64_t max_binding, uint32_t capacity) {
    /* the stacked projections' outputs: gate|up and q|k|v rows */
    uint64_t widest = 2 * (uint64_t)c->intermediate_size;
    if ((uint64_t)q_dim(c) + 2 * kv_dim(c) > widest) widest = (uint64_t)q_dim(c) + 2 * kv_dim(c);
    if ((uint64_t)c->hidden_size > widest) widest = c->hidden_size;
    uint64_t rows = max_binding / (widest * 4);
    if (rows > 2048) rows = 2048;
    if (rows > capacity) rows = capacity;
    return rows ? (uint32_t)rows : 1;
}

vkvlm_status llama_load(llama_model *m, model_loader *l, const vkvlm_config_text *cfg, const char *prefix,
                        const char *head_name, uint32_t capacity, vkvlm_error *err) {
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    const vkvlm_config_text *c = &m->cfg;
    uint32_t dim = (uint32_t)c->hidden_size, hidden = (uint32_t)c->intermediate_size, n_layers = (uint32_t)c->num_hidden_layers;
    if (c->attention_bias || c->mlp_bias)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "config.json: llama with attention_bias/mlp_bias is not supported yet");
    char name[256];
    snprintf(name, sizeof name, "%s.embed_tokens.weight", prefix);
    vkvlm_status st = vkvlm_checkpoint_get_shaped(l->ck, name, VKVLM_SHAPE(c->vocab_size, dim), &m->w.embed, err);
    if (st != VKVLM_OK) return st;
    m->w.layers = calloc(n_layers, sizeof *m->w.layers);
    m->s.kv = calloc(n_layers, sizeof *m->s.kv);
    if (!m->w.layers || !m->s.kv) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "llama: out of host memory");
    /* --quant applies to the decoder's own linears (lm_head included), not the vision tower or projector */
    bool quantize_outside = l->quantize;
    l->quantize = true;
    for (uint32_t i = 0; i < n_layers && st == VKVLM_OK; i++) {
        llama_layer *L = &m->w.layers[i];
        /* Stacks of linears sharing an input, in forward order: q|k|v, o, gate|up, down. */
        struct { const char *suffix; model_linear *w; uint32_t n; int stack; } lin[] = {
            {"self_attn.q_proj", &L->wq, q_dim(c), 0},  {"self_attn.k_proj", &L->wk, kv_dim(c), 0},
            {"self_attn.v_proj", &L->wv, kv_dim(c), 0}, {"self_attn.o_proj", &L->wo, dim, 1},
            {"mlp.gate_proj", &L->w_gate, hidden, 2},   {"mlp.up_proj", &L->w_up, hidden, 2},
            {"mlp.down_proj", &L->w_down, dim, 3},
        };
        struct { model_linear *whole; uint32_t k; } stacks[] = {{&L->wqkv, dim}, {&L->wo, q_dim(c)},
                                                                 {&L->w_gate_up, dim}, {&L->w_down, hidden}};
        char names[7][256];
        model_linear_part parts[7];
        snprintf(name, sizeof name, "%s.layers.%u.input_layernorm.weight", prefix, i);
        st = model_load_vector(l, name, dim, &L->attn_norm, err);
        for (int j = 0, first = 0; j < 7 && st == VKVLM_OK; j++) {
            snprintf(names[j], sizeof names[j], "%s.layers.%u.%s.weight", prefix, i, lin[j].suffix);
            parts[j] = (model_linear_part){names[j], lin[j].n, lin[j].w};
            if (j + 1 < 7 && lin[j + 1].stack == lin[j].stack) continue;
            int count = j + 1 - first, stack = lin[j].stack;
            st = model_load_linear_stack(l, &parts[first], count, stacks[stack].k, count > 1 ? stacks[stack].whole : lin[j].w,
                                         err);
            first = j + 1;
        }
        snprintf(name, sizeof name, "%s.layers.%u.post_attention_layernorm.weight", prefix, i);
        if (st == VKVLM_OK) st = model_load_vector(l, name, dim, &L->ffn_norm, err);
    }
    snprintf(name, sizeof name, "%s.norm.weight", prefix);
    if (st == VKVLM_OK) st = model_load_vector(l, name, dim, &m->w.final_norm, err);
    if (st == VKVLM_OK) {
        snprintf(name, sizeof name, "%s.embed_tokens.weight", prefix);
        st = model_load_linear(l, c->tie_word_embeddings ? name : head_name, (uint32_t)c->vocab_size, dim, &m->w.lm_head, err);
    }
    l->quantize = quantize_outside;
    if (st != VKVLM_OK) return st;

    /* RoPE frequencies computed on the host in f32, the way transformers does, then uploaded once. */
    uint32_t half = (uint32_t)c->head_dim / 2;
    float *inv_freq = calloc(half, sizeof *inv_freq);
    if (!inv_freq) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "llama: out of host memory");
    gpu_rope_inv_freq_f32(inv_freq, (uint32_t)c->head_dim, (float)c->rope_theta);
    m->w.inv_freq.count = half;
    st = model_buffer(l, half * sizeof(float), "rope.inv_freq", &m->w.inv_freq.buffer, err);
    if (st == VKVLM_OK && !l->plan_only) st = gpu_buffer_write(m->w.inv_freq.buffer, 0, inv_freq, half * sizeof(float), err);
    free(inv_freq);
    if (st != VKVLM_OK) return st;

    /* State: the activations of one chunk, then the cache. */
    uint64_t max_binding = l->dev ? gpu_device_caps(l->dev)->max_storage_buffer_range : (UINT64_C(128) << 20);
    llama_state *s = &m->s;
    s->capacity = capacity;
    s->max_rows = chunk_rows(c, max_binding, capacity);
    uint64_t r = s->max_rows;
    struct { gpu_buffer **buf; uint64_t bytes; const char *label; } bufs[] = {
        {&s->x, r * dim * 4, "llama.x"},           {&s->xn, r * dim * 4, "llama.xn"},
        {&s->q, r * (q_dim(c) + 2 * kv_dim(c)) * 4, "llama.q"},      {&s->q_rot, r * q_dim(c) * 4, "llama.q_rot"},
        {&s->k, r * kv_dim(c) * 4, "llama.k"},     {&s->attn, r * q_dim(c) * 4, "llama.attn"},
        {&s->gate, r * 2 * hidden * 4, "llama.gate"},  {&s->up, r * hidden * 4, "llama.up"},
        {&s->pos, r * 4, "llama.pos"},             {&s->logits, (uint64_t)c->vocab_size * 4, "llama.logits"},
        {&s->argmax, 4, "llama.argmax"},
    };
    for (size_t j = 0; j < sizeof bufs / sizeof bufs[0] && st == VKVLM_OK; j++)
        st = model_buffer(l, bufs[j].bytes, bufs[j].label, bufs[j].buf, err);
    gpu_attention_desc decode = {.q_len = 1, .kv_len = capacity, .q_heads = (uint32_t)c->num_attention_heads,
                                 .kv_heads = (uint32_t)c->num_key_value_heads, .head_dim = (uint32_t)c->head_dim};
    if (st == VKVLM_OK) st = model_buffer(l, gpu_op_attention_decode_partial_bytes(&decode), "llama.partial", &s->partial, err);
    for (uint32_t i = 0; i < n_layers && st == VKVLM_OK; i++) {
        st = model_buffer(l, (uint64_t)capacity * kv_dim(c) * 4, "kv_cache.k", &s->kv[i].k, err);
        if (st == VKVLM_OK) st = model_buffer(l, (uint64_t)capacity * kv_dim(c) * 4, "kv_cache.v", &s->kv[i].v, err);
        if (st == VKVLM_OK) st = model_buffer(l, (uint64_t)capacity * 4, "kv_cache.pos", &s->kv[i].pos, err);
    }
    return st;
}

void llama_free(llama_model *m) {
    if (!m) return;
    for (int i = 0; m->w.layers && i < m->cfg.num_hidden_layers; i++) {
        llama_layer *L = &m->w.layers[i];
        model_vector_free(&L->attn_norm);
        model_vector_free(&L->ffn_norm);
        model_linear *lins[] = {&L->wq, &L->wk, &L->wv, &L->wo, &L->w_gate, &L->w_up, &L->w_down, &L->wqkv, &L->w_gate_up};
        for (size_t j = 0; j < sizeof lins / sizeof lins[0]; j++) model_linear_free(lins[j]);
    }
    free(m->w.layers);
    model_vector_free(&m->w.final_norm);
    model_linear_free(&m->w.lm_head);
    model_vector_free(&m->w.inv_freq);
    llama_state *s = &m->s;
    gpu_buffer *bufs[] = {s->x, s->xn, s->q, s->q_rot, s->k, s->attn, s->gate, s->up, s->pos, s->partial, s->logits, s->argmax};
    for (size_t j = 0; j < sizeof bufs / sizeof bufs[0]; j++) gpu_buffer_destroy(bufs[j]);
    for (int i = 0; s->kv && i < m->cfg.num_hidden_layers; i++) {
        gpu_buffer_destroy(s->kv[i].k);
        gpu_buffer_destroy(s->kv[i].v);
        gpu_buffer_destroy(s->kv[i].pos);
    }
    free(s->kv);
    memset(m, 0, sizeof *m);
}

vkvlm_status llama_embed_host(const llama_model *m, const int32_t *ids, uint32_t count, float *out, vkvlm_error *err) {
    const vkvlm_safetensors_tensor *t = m->w.embed;
    uint32_t dim = (uint32_t)m->cfg.hidden_size;
    size_t elem = vkvlm_safetensors_dtype_size(t->dtype);
    for (uint32_t i = 0; i < count; i++) {
        if (ids[i] < 0 || ids[i] >= m->cfg.vocab_size)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "token id %d outside the vocabulary (0..%d)", ids[i],
                                   m->cfg.vocab_size - 1);
        /* A one-row view of the table, converted by the loader's own reader. */
        vkvlm_safetensors_tensor row = *t;
        row.ndim = 1;
        row.shape[0] = dim;
        row.numel = dim;
        row.data = t->data + (size_t)ids[i] * dim * elem;
        row.nbytes = (size_t)dim * elem;
        vkvlm_status st = vkvlm_safetensors_read_f32(&row, out + (size_t)i * dim, dim, err);
        if (st != VKVLM_OK) return st;
    }
    return VKVLM_OK;
}

void llama_reset(llama_model *m) {
    for (int i = 0; i < m->cfg.num_hidden_layers; i++) m->s.kv[i].len = 0;
}

/* A binding of rows [row, row+count) of a buffer whose rows are `width` floats. */
static gpu_binding rows_of(gpu_buffer *buf, uint32_t row, uint32_t count, uint32_t width) {
    return (gpu_binding){buf, (uint64_t)row * width * 4, (uint64_t)count * width * 4};
}

static const gpu_binding no_bias = {0};

vkvlm_status llama_forward(llama_model *m, gpu_cmd *cmd, uint32_t rows, llama_output output, reduce_state *reduce,
                           vkvlm_error *err) {
    const vkvlm_config_text *c = &m->cfg;
    llama_weights *w = &m->w;
    llama_state *s = &m->s;
    uint32_t dim = (uint32_t)c->hidden_size, hidden = (uint32_t)c->intermediate_size;
    uint32_t qd = q_dim(c), kvd = kv_dim(c), hd = (uint32_t)c->head_dim;
    uint32_t heads = (uint32_t)c->num_attention_heads, kv_heads = (uint32_t)c->num_key_value_heads;
    float eps = (float)c->rms_norm_eps;
    if (rows == 0 || rows > s->max_rows)
        return vkvlm_error_set(err, VKVLM_ERR_INTERNAL, "llama: %u rows in one chunk (max %u)", rows, s->max_rows);
    vkvlm_status st = VKVLM_OK;

    for (int l = 0; l < c->num_hidden_layers && st == VKVLM_OK; l++) {
        llama_layer *L = &w->layers[l];
        llama_kv_layer *kv = &s->kv[l];
        /* reduction hook: the sequence may be shorter from this layer on */
        st = reduce_llm_layer_input(reduce, m, cmd, l, &rows, err);
        if (st != VKVLM_OK) break;
        /* reduction hook: the method may run this layer itself (ProxyV); the cache then holds `rows` keys */
        bool replaced = false;
        st = reduce_llm_layer(reduce, m, cmd, l, rows, &replaced, err);
        if (st != VKVLM_OK) break;
        if (replaced) {
            kv->len += rows;
            continue;
        }
        gpu_binding x = rows_of(s->x, 0, rows, dim), xn = rows_of(s->xn, 0, rows, dim);
        gpu_binding q = rows_of(s->q, 0, rows, qd), q_rot = rows_of(s->q_rot, 0, rows, qd);
        gpu_binding k = rows_of(s->k, 0, rows, kvd), attn = rows_of(s->attn, 0, rows, qd);
        gpu_binding gate = rows_of(s->gate, 0, rows, hidden), up = rows_of(s->up, 0, rows, hidden);
        gpu_binding pos = {s->pos, 0, (uint64_t)rows * 4};
        gpu_binding lse = reduce_llm_lse(reduce, l, rows);
        if (kv->len + rows > s->capacity)
            return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "the prompt and generated tokens exceed the context of %u tokens "
                                   "(use --ctx)", s->capacity);
        gpu_binding k_new = rows_of(kv->k, kv->len, rows, kvd), v_new = rows_of(kv->v, kv->len, rows, kvd);
        gpu_binding k_all = rows_of(kv->k, 0, kv->len + rows, kvd), v_all = rows_of(kv->v, 0, kv->len + rows, kvd);
        gpu_binding pos_new = {kv->pos, (uint64_t)kv->len * 4, (uint64_t)rows * 4};
        gpu_binding pos_all = {kv->pos, 0, (uint64_t)(kv->len + rows) * 4};
        gpu_attention_desc a = {.q_len = rows, .kv_len = kv->len + rows, .q_heads = heads, .kv_heads = kv_heads,
                                .head_dim = hd, .causal = true};

        /* attention: x += o_proj(attn(rope(q), rope(k), v)) on rmsnorm(x) */
        if (st == VKVLM_OK) st = gpu_op_rmsnorm_f32(cmd, xn, x, model_vec(&L->attn_norm), rows, dim, eps, err);
        if (model_linear_stacked(&L->wqkv)) {
            /* one projection, then one kernel places rope(q), rope(k), v and the positions */
            gpu_binding qkv = rows_of(s->q, 0, rows, qd + 2 * kvd);
            if (st == VKVLM_OK) st = gpu_op_linear(cmd, qkv, xn, &L->wqkv.view, no_bias, rows, NULL, err);
            if (st == VKVLM_OK)
                st = gpu_op_rope_qkv_f32(cmd, q_rot, k_new, v_new, pos_new, qkv, pos, model_vec(&w->inv_freq), rows, heads,
                                         kv_heads, hd, 0, err);
        } else {
            if (st == VKVLM_OK) st = gpu_op_linear(cmd, q, xn, &L->wq.view, no_bias, rows, NULL, err);
            if (st == VKVLM_OK) st = gpu_op_linear(cmd, k, xn, &L->wk.view, no_bias, rows, NULL, err);
            if (st == VKVLM_OK) st = gpu_op_linear(cmd, v_new, xn, &L->wv.view, no_bias, rows, NULL, err);
            if (st == VKVLM_OK) st = gpu_op_rope_f32(cmd, q_rot, q, pos, model_vec(&w->inv_freq), rows, heads, hd, 0, 0, err);
            if (st == VKVLM_OK)
                st = gpu_op_rope_f32(cmd, k_new, k, pos, model_vec(&w->inv_freq), rows, kv_heads, hd, 0, 0, err);
            if (st == VKVLM_OK) st = gpu_cmd_copy(cmd, kv->pos, pos_new.offset, s->pos, 0, pos_new.size, err);
        }
        if (st == VKVLM_OK) {
            if (rows == 1)
                st = gpu_op_attention_decode_f32(cmd, attn, (gpu_binding){0}, gpu_whole(s->partial), q_rot, k_all, v_all,
                                                 pos, pos_all, &a, err);
            else
                st = gpu_op_attention_prefill_f32(cmd, attn, lse, q_rot, k_all, v_all, pos, pos_all, &a, err);
        }
        /* the residual add is fused into o_proj (and into down below): y += x . w^T */
        const gpu_linear_opts residual = {.accumulate = true};
        if (st == VKVLM_OK) st = gpu_op_linear(cmd, x, attn, &L->wo.view, no_bias, rows, &residual, err);
        /* reduction hook: tokens may be merged away here, before the MLP; the cache keeps what attention saw */
        uint32_t rows_attended = rows;
        if (st == VKVLM_OK) st = reduce_llm_after_attention(reduce, m, cmd, l, &rows, err);
        if (rows != rows_attended) {
            x = rows_of(s->x, 0, rows, dim);
            xn = rows_of(s->xn, 0, rows, dim);
            gate = rows_of(s->gate, 0, rows, hidden);
            up = rows_of(s->up, 0, rows, hidden);
        }

        /* MLP: x += down(silu(gate(xn)) * up(xn)) on rmsnorm(x) */
        if (st == VKVLM_OK) st = gpu_op_rmsnorm_f32(cmd, xn, x, model_vec(&L->ffn_norm), rows, dim, eps, err);
        gpu_binding act = gate;
        if (model_linear_stacked(&L->w_gate_up)) {
            gpu_binding gate_up = rows_of(s->gate, 0, rows, 2 * hidden);
            act = up;
            if (st == VKVLM_OK) st = gpu_op_linear(cmd, gate_up, xn, &L->w_gate_up.view, no_bias, rows, NULL, err);
            if (st == VKVLM_OK) st = gpu_op_swiglu_fused_f32(cmd, act, gate_up, rows, hidden, err);
        } else {
            if (st == VKVLM_OK) st = gpu_op_linear(cmd, gate, xn, &L->w_gate.view, no_bias, rows, NULL, err);
            if (st == VKVLM_OK) st = gpu_op_linear(cmd, up, xn, &L->w_up.view, no_bias, rows, NULL, err);
            if (st == VKVLM_OK) st = gpu_op_swiglu_f32(cmd, gate, gate, up, rows, hidden, err);
        }
        if (st == VKVLM_OK) st = gpu_op_linear(cmd, x, act, &L->w_down.view, no_bias, rows, &residual, err);
        if (st == VKVLM_OK) kv->len += rows_attended;
    }

    /* final norm and lm_head, on the last row only */
    if (st == VKVLM_OK && output != LLAMA_OUTPUT_NONE) {
        gpu_binding last = rows_of(s->x, rows - 1, 1, dim), last_n = rows_of(s->xn, 0, 1, dim);
        st = gpu_op_rmsnorm_f32(cmd, last_n, last, model_vec(&w->final_norm), 1, dim, eps, err);
        if (st == VKVLM_OK) st = gpu_op_linear(cmd, gpu_whole(s->logits), last_n, &w->lm_head.view, no_bias, 1, NULL, err);
    }
    if (st == VKVLM_OK && output == LLAMA_OUTPUT_ARGMAX)
        st = gpu_op_argmax_f32(cmd, gpu_whole(s->argmax), gpu_whole(s->logits), (uint32_t)c->vocab_size, err);
    return st;
}

double llama_layer_flops(const vkvlm_config_text *c, uint32_t rows, uint32_t past) {
    double d = c->hidden_size, h = c->intermediate_size, qd = q_dim(c), kvd = kv_dim(c);
    double per_row = 2.0 * (d * qd + 2 * d * kvd + qd * d + 3 * d * h);
    /* attention: q·k and p·v over (past + causal half of the new rows) keys, per query head dim */
    double keys = (double)rows * past + (double)rows * (rows + 1) / 2.0;
    return rows * per_row + 4.0 * qd * keys;
}

double llama_flops(const vkvlm_config_text *c, uint32_t rows, uint32_t past, bool logits) {
    return c->num_hidden_layers * llama_layer_flops(c, rows, past) + (logits ? 2.0 * c->hidden_size * c->vocab_size : 0);
}

double llama_prefill_flops(const vkvlm_config_text *c, uint32_t L, const reduce_state *reduce) {
    uint32_t *rows_at = malloc((size_t)c->num_hidden_layers * sizeof *rows_at);
    if (!rows_at) return 0;
    reduce_rows_per_layer(reduce, c->num_hidden_layers, L, rows_at);
    double total = 2.0 * c->hidden_size * c->vocab_size;
    for (int l = 0; l < c->num_hidden_layers; l++) {
        double replaced = reduce_llm_layer_flops(reduce, c, l, rows_at[l]);
        total += replaced > 0 ? replaced : llama_layer_flops(c, rows_at[l], 0);
    }
    free(rows_at);
    return total;
}

double llama_decode_flops(const llama_model *m, uint32_t rows) {
    double total = 2.0 * m->cfg.hidden_size * m->cfg.vocab_size;
    for (int l = 0; l < m->cfg.num_hidden_layers; l++) {
        uint32_t len = m->s.kv[l].len;
        total += llama_layer_flops(&m->cfg, rows, len >= rows ? len - rows : 0);
    }
    return total;
}
