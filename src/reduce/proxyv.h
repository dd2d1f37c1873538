/* proxyv.h — ProxyV (Wu, Lu, Liu, ICML 2025) as METHODS.md section 3 binds it: the released code's semantics on
 * a ProxyV-trained checkpoint. Internal to reduce/: called from reduce.c's hooks; the graph is models/proxyv.c.
 *
 * At prefill the session packs the image rows first ([image; newline; text], ProxyV's tensor order; positions
 * keep the prompt order, and causality is by position, so the plain layers are unchanged). At the input of
 * layer L_s the proxies are made past the prompt's rows; every layer from L_s on is the ProxyV layer. The
 * proxies' K/V lie past the cache length, so they are dropped after prefill and decode is the vanilla model. */
#ifndef VKVLM_REDUCE_PROXYV_H
#define VKVLM_REDUCE_PROXYV_H

#include "reduce/reduce.h"

/* Starts a prompt: the image tokens' positions (one crop, rows [0, N) of the input), checked against the model. */
vkvlm_status proxyv_begin(reduce_state *s, const int32_t *image_positions, uint32_t image_tokens, vkvlm_error *err);
/* At the input of layer L_s: the proxies and their positions. */
vkvlm_status proxyv_layer_input(reduce_state *s, llama_model *m, gpu_cmd *cmd, int layer, uint32_t rows,
                                vkvlm_error *err);
/* Layers >= L_s at prefill: runs the ProxyV layer instead of the plain one (*done). */
vkvlm_status proxyv_layer(reduce_state *s, llama_model *m, gpu_cmd *cmd, int layer, uint32_t rows, bool *done,
                          vkvlm_error *err);

#endif
