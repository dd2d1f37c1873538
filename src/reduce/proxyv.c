/* proxyv.c — see proxyv.h. */
#include "reduce/proxyv.h"

#include <stdlib.h>

#include "core/status.h"
#include "models/proxyv.h"

vkvlm_status proxyv_begin(reduce_state *s, const int32_t *image_positions, uint32_t image_tokens, vkvlm_error *err) {
    const proxyv_model *p = s->proxyv.model;
    if (!p || !p->loaded)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--reduce proxyv: the model has no ProxyV VisionMLPs (ProxyV needs a "
                               "ProxyV-trained checkpoint with \"proxyv\": true)");
    if (image_tokens != p->image_rows)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "--reduce proxyv: %u image tokens; one crop of %u is supported",
                               image_tokens, p->image_rows);
    /* proxies sit at image_start + 0 .. n_p-1: contiguous, overlapping the first image rows' positions */
    int32_t *pos = malloc(p->proxies * sizeof *pos);
    if (!pos) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "proxyv: out of host memory");
    for (uint32_t i = 0; i < p->proxies; i++) pos[i] = image_positions[0] + (int32_t)i;
    s->proxyv.image_start = (uint32_t)image_positions[0];
    vkvlm_status st = gpu_buffer_write(s->proxyv.pos, 0, pos, p->proxies * sizeof *pos, err);
    free(pos);
    return st;
}

vkvlm_status proxyv_layer_input(reduce_state *s, llama_model *m, gpu_cmd *cmd, int layer, uint32_t rows,
                                vkvlm_error *err) {
    const proxyv_model *p = s->proxyv.model;
    if (layer != p->start_layer) return VKVLM_OK;
    if (rows != s->prompt_len || rows + p->proxies > m->s.max_rows)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "proxyv: the prompt (%u tokens) and %u proxies must fit one prefill "
                               "chunk (%u rows)", s->prompt_len, p->proxies, m->s.max_rows);
    vkvlm_status st = proxyv_init_proxies(p, m, cmd, rows, err);
    if (st == VKVLM_OK)
        st = gpu_cmd_copy(cmd, m->s.pos, (uint64_t)rows * 4, s->proxyv.pos, 0, (uint64_t)p->proxies * 4, err);
    if (st == VKVLM_OK) s->proxyv.applied = true;
    return st;
}

vkvlm_status proxyv_layer(reduce_state *s, llama_model *m, gpu_cmd *cmd, int layer, uint32_t rows, bool *done,
                          vkvlm_error *err) {
    const proxyv_model *p = s->proxyv.model;
    if (layer < p->start_layer || !s->proxyv.applied) return VKVLM_OK;
    *done = true;
    return proxyv_layer_forward(p, m, cmd, layer, rows, err);
}
