/* ficoco.h — FiCoCo-V and FiCoCo-L (Han et al., arXiv 2411.17686) as METHODS.md section 2 binds them: the
 * paper's formulas with golden/README.md's choices. Internal to reduce/: called from reduce.c's hooks. */
#ifndef VKVLM_REDUCE_FICOCO_H
#define VKVLM_REDUCE_FICOCO_H

#include "reduce/reduce.h"

vkvlm_status ficoco_state_load(reduce_ficoco_state *f, model_loader *l, const llama_model *m, const vit_model *vision,
                               vkvlm_error *err);
void ficoco_state_free(reduce_ficoco_state *f);
/* Forgets the reports of the vision part (vision = true) or the LLM part. */
void ficoco_report_clear(reduce_ficoco_state *f, bool vision);
/* FiCoCo-V at vision layer `layer` (the item's start and later), after the attention residual. */
vkvlm_status ficoco_v_after_attention(reduce_state *s, const reduce_item *it, vit_model *m, gpu_cmd *cmd, int layer,
                                      uint32_t *rows, vkvlm_error *err);
/* FiCoCo-L at LLM layer `layer` during a single-chunk prefill, after the attention residual. */
vkvlm_status ficoco_l_after_attention(reduce_state *s, const reduce_item *it, llama_model *m, gpu_cmd *cmd, int layer,
                                      uint32_t *rows, vkvlm_error *err);
/* Reads back the slots recorded since the last clear (after the commands completed). */
vkvlm_status ficoco_collect(reduce_ficoco_state *f, vkvlm_error *err);

#endif
