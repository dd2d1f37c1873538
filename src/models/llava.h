/* llava.h — LLaVA-1.5: CLIP vision tower -> 2-layer GELU projector -> LLaMA decoder, in two checkpoint layouts:
 *   llava-hf (model_type "llava"): the image's projected features replace the image-token rows of the
 *     prompt's embeddings, in order;
 *   original LLaVA (model_type "llava_llama", e.g. ProxyV): the same graph under other tensor names
 *     (model.mm_projector.{0,2}, model.layers.*, the tower under model.vision_tower.vision_tower or in its own
 *     folder), and model.image_newline as one extra row after the image's features (mm_newline_position
 *     "one_token"; shared/PROXYV.md section 4). */
#ifndef VKVLM_MODELS_LLAVA_H
#define VKVLM_MODELS_LLAVA_H

#include "models/vit.h"
#include "models/llama.h"
#include "models/proxyv.h"

typedef struct llava_model {
    vkvlm_config cfg;
    vit_model vision;
    model_linear proj1, proj2;       /* (d, d_v), (d, d) */
    model_vector proj1_b, proj2_b;   /* (d) */
    llama_model text;
    bool original_layout;            /* llava_llama names; image_newline follows the features */
    model_vector image_newline;      /* (d) original layout only */
    proxyv_model proxyv;             /* original layout with "proxyv": true: the VisionMLPs (else not loaded) */
    uint32_t image_tokens;           /* features per image (patches; CLS dropped) */
    gpu_buffer *pixels;              /* (3, S, S) the preprocessed image */
    gpu_buffer *proj_hidden;         /* (image_tokens, d) */
    gpu_buffer *image_embeds;        /* (image_tokens, d) projector output */
} llava_model;

/* cfg->family LLAVA or LLAVA_LLAMA. tower: for LLAVA_LLAMA, the checkpoint of the mm_vision_tower folder
 * (names vision_model.*), used when the model's own checkpoint has no tower copy; may be NULL. */
vkvlm_status llava_load(llava_model *m, model_loader *l, const vkvlm_config *cfg, const vkvlm_checkpoint *tower,
                        uint32_t capacity, vkvlm_error *err);
void llava_free(llava_model *m);
/* Records the vision tower (with the token-reduction hooks of `reduce`, NULL for none) and the projector on
 * m->pixels; result in the first llava_feature_rows() rows of m->image_embeds. */
vkvlm_status llava_encode_image(llava_model *m, gpu_cmd *cmd, struct reduce_state *reduce, vkvlm_error *err);
/* Feature rows the last encode produced: image_tokens, fewer after FiCoCo-V. */
uint32_t llava_feature_rows(const llava_model *m);
/* The binding of the features the projector reads (vision output without CLS). */
gpu_binding llava_vision_features(const llava_model *m);
double llava_vision_flops(const llava_model *m);
/* The same for the last encode, with the rows each vision layer ran on. */
double llava_vision_flops_actual(const llava_model *m);

#endif
