/* llava.c — see llava.h. The llava-hf names go through the checkpoint lookup, which also accepts the
 * transformers >= 4.52 renames; the original layout's names are used as written. */
#include "models/llava.h"

#include <stdio.h>
#include <string.h>

#include "core/status.h"

/* Tensor names of the two layouts. */
typedef struct llava_names {
    const char *vision, *proj1, *proj2, *text, *head;
} llava_names;

static const llava_names hf_names = {"vision_tower.vision_model", "multi_modal_projector.linear_1",
                                     "multi_modal_projector.linear_2", "language_model.model",
                                     "language_model.lm_head.weight"};
static const llava_names original_names = {"model.vision_tower.vision_tower.vision_model", "model.mm_projector.0",
                                           "model.mm_projector.2", "model", "lm_head.weight"};

/* The original layout's options, refused unless they are what this graph computes. */
static vkvlm_status check_original(const vkvlm_config *cfg, vkvlm_error *err) {
    const vkvlm_config_llava_llama *o = &cfg->llava_llama;
    if (!cfg->vision.model_type[0])
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "config.json: mm_vision_tower '%s' is no local folder with a "
                               "config.json (Hub ids are not downloaded; put the tower next to the checkpoint)",
                               o->mm_vision_tower);
    if (strcmp(o->mm_projector_type, "mlp2x_gelu") != 0)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "config.json: mm_projector_type '%s' is not supported yet "
                               "(only mlp2x_gelu)", o->mm_projector_type);
    if (o->mm_vision_select_feature != VKVLM_CONFIG_SELECT_DEFAULT)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "config.json: mm_vision_select_feature 'cls_patch' is not "
                               "supported yet");
    if (o->mm_use_im_start_end || o->mm_use_im_patch_token)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "config.json: mm_use_im_start_end / mm_use_im_patch_token "
                               "are not supported yet");
    if (o->image_aspect_ratio[0] && strcmp(o->image_aspect_ratio, "pad") != 0)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "config.json: image_aspect_ratio '%s' is not supported yet "
                               "(only pad: one crop per image)", o->image_aspect_ratio);
    return VKVLM_OK;
}

vkvlm_status llava_load(llava_model *m, model_loader *l, const vkvlm_config *cfg, const vkvlm_checkpoint *tower,
                        uint32_t capacity, vkvlm_error *err) {
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    m->original_layout = cfg->family == VKVLM_CONFIG_LLAVA_LLAMA;
    const llava_names *names = m->original_layout ? &original_names : &hf_names;
    if (m->original_layout) {
        vkvlm_status st = check_original(cfg, err);
        if (st != VKVLM_OK) return st;
    }
    if (strcmp(cfg->vision.model_type, "clip_vision_model") != 0)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "config.json: llava with a %s vision tower is not supported yet "
                               "(only clip_vision_model)", cfg->vision.model_type[0] ? cfg->vision.model_type : "unknown");
    if (!m->original_layout && cfg->llava.vision_feature_select != VKVLM_CONFIG_SELECT_DEFAULT)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                               "config.json: vision_feature_select_strategy 'full' is not supported yet");
    if (!m->original_layout && cfg->llava.projector_hidden_act != VKVLM_CONFIG_ACT_GELU)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "config.json: projector_hidden_act %s is not supported",
                               vkvlm_config_act_name(cfg->llava.projector_hidden_act));
    uint32_t d = (uint32_t)cfg->text.hidden_size, dv = (uint32_t)cfg->vision.hidden_size;
    int feature_layer = m->original_layout ? cfg->llava_llama.mm_vision_select_layer : cfg->llava.vision_feature_layer;
    /* The tower: the checkpoint's own copy when it has one (ProxyV's loader overwrites the folder's weights with
     * it), else the mm_vision_tower folder under its own names. */
    const char *vision_prefix = names->vision;
    const vkvlm_checkpoint *own = l->ck;
    if (m->original_layout && tower) {
        char probe[160];
        snprintf(probe, sizeof probe, "%s.embeddings.class_embedding", names->vision);
        if (!vkvlm_checkpoint_find(own, probe)) {
            l->ck = tower;
            vision_prefix = "vision_model";
        }
    }
    vkvlm_status st = vit_load(&m->vision, l, VIT_CLIP, &cfg->vision, vision_prefix, feature_layer, err);
    l->ck = own;
    uint64_t side = (uint64_t)cfg->vision.image_size;
    if (st == VKVLM_OK) st = model_buffer(l, 3 * side * side * 4, "llava.pixels", &m->pixels, err);
    m->image_tokens = m->vision.tokens - 1;
    char name[160];
    snprintf(name, sizeof name, "%s.weight", names->proj1);
    if (st == VKVLM_OK) st = model_load_linear(l, name, d, dv, &m->proj1, err);
    snprintf(name, sizeof name, "%s.bias", names->proj1);
    if (st == VKVLM_OK) st = model_load_vector(l, name, d, &m->proj1_b, err);
    snprintf(name, sizeof name, "%s.weight", names->proj2);
    if (st == VKVLM_OK) st = model_load_linear(l, name, d, d, &m->proj2, err);
    snprintf(name, sizeof name, "%s.bias", names->proj2);
    if (st == VKVLM_OK) st = model_load_vector(l, name, d, &m->proj2_b, err);
    if (st == VKVLM_OK && m->original_layout) st = model_load_vector(l, "model.image_newline", d, &m->image_newline, err);
    if (st == VKVLM_OK) st = llama_load(&m->text, l, &cfg->text, names->text, names->head, capacity, err);
    if (st == VKVLM_OK) st = model_buffer(l, (uint64_t)m->image_tokens * d * 4, "llava.proj_hidden", &m->proj_hidden, err);
    if (st == VKVLM_OK) st = model_buffer(l, (uint64_t)m->image_tokens * d * 4, "llava.image_embeds", &m->image_embeds, err);
    if (st == VKVLM_OK && m->original_layout) st = proxyv_load(&m->proxyv, l, cfg, m->image_tokens, err);
    return st;
}

void llava_free(llava_model *m) {
    if (!m) return;
    vit_free(&m->vision);
    model_linear_free(&m->proj1);
    model_linear_free(&m->proj2);
    model_vector_free(&m->proj1_b);
    model_vector_free(&m->proj2_b);
    model_vector_free(&m->image_newline);
    proxyv_free(&m->proxyv);
    llama_free(&m->text);
    gpu_buffer_destroy(m->pixels);
    gpu_buffer_destroy(m->proj_hidden);
    gpu_buffer_destroy(m->image_embeds);
    memset(m, 0, sizeof *m);
}

uint32_t llava_feature_rows(const llava_model *m) {
    return m->vision.tokens_out ? m->vision.tokens_out - 1 : m->image_tokens;
}

gpu_binding llava_vision_features(const llava_model *m) {
    uint64_t row = (uint64_t)m->vision.cfg.hidden_size * 4;
    return (gpu_binding){m->vision.h, row, row * llava_feature_rows(m)};
}

vkvlm_status llava_encode_image(llava_model *m, gpu_cmd *cmd, struct reduce_state *reduce, vkvlm_error *err) {
    uint32_t d = (uint32_t)m->cfg.text.hidden_size;
    gpu_binding hidden = gpu_whole(m->proj_hidden), embeds = gpu_whole(m->image_embeds);
    /* vision tower up to the feature layer (FiCoCo-V may merge tokens inside it); the features are its rows
     * without CLS */
    vkvlm_status st = vit_forward_reduced(&m->vision, cmd, gpu_whole(m->pixels), reduce, err);
    uint32_t n = llava_feature_rows(m);
    /* projector: linear_2(gelu(linear_1(features))) */
    if (st == VKVLM_OK) st = gpu_op_linear(cmd, hidden, llava_vision_features(m), &m->proj1.view, model_vec(&m->proj1_b), n, NULL, err);
    if (st == VKVLM_OK) st = gpu_op_gelu_f32(cmd, hidden, hidden, n * d, err);
    if (st == VKVLM_OK) st = gpu_op_linear(cmd, embeds, hidden, &m->proj2.view, model_vec(&m->proj2_b), n, NULL, err);
    return st;
}

double llava_vision_flops(const llava_model *m) {
    double d = m->cfg.text.hidden_size, dv = m->cfg.vision.hidden_size, n = m->image_tokens;
    return vit_flops(&m->vision) + 2.0 * n * (dv * d + d * d);
}

double llava_vision_flops_actual(const llava_model *m) {
    double d = m->cfg.text.hidden_size, dv = m->cfg.vision.hidden_size, n = llava_feature_rows(m);
    return vit_flops_actual(&m->vision) + 2.0 * n * (dv * d + d * d);
}
