/* fastv.h — FastV (Chen et al., ECCV 2024) as METHODS.md section 1 binds it: the released code's KV-cache
 * variant. Internal to reduce/: called from reduce.c's hooks. */
#ifndef VKVLM_REDUCE_FASTV_H
#define VKVLM_REDUCE_FASTV_H

#include "reduce/reduce.h"

/* round(N * (1 - r)): image tokens kept (at least 0, at most N). */
uint32_t fastv_keep_count(uint32_t image_tokens, double r);
/* At the input of layer K (the item's k) during a single-chunk prefill: score, choose, compact. */
vkvlm_status fastv_layer_input(reduce_state *s, const reduce_item *item, llama_model *m, gpu_cmd *cmd, int layer,
                               uint32_t *rows, vkvlm_error *err);

#endif
