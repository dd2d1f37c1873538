/* llava.c — see llava.h. Tensor names are the llava-hf ones; the checkpoint lookup also accepts the
 * transformers >= 4.52 renames. */
#include "models/llava.h"

#include <string.h>

#include "core/status.h"

vkvlm_status llava_load(llava_model *m, model_loader *l, const vkvlm_config *cfg, uint32_t capacity, vkvlm_error *err) {
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    if (strcmp(cfg->vision.model_type, "clip_vision_model") != 0)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "config.json: llava with a %s vision tower is not supported yet "
                               "(only clip_vision_model)", cfg->vision.model_type[0] ? cfg->vision.model_type : "unknown");
    if (cfg->llava.vision_feature_select != VKVLM_CONFIG_SELECT_DEFAULT)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                               "config.json: vision_feature_select_strategy 'full' is not supported yet");
    if (cfg->llava.projector_hidden_act != VKVLM_CONFIG_ACT_GELU)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "config.json: projector_hidden_act %s is not supported",
                               vkvlm_config_act_name(cfg->llava.projector_hidden_act));
    uint32_t d = (uint32_t)cfg->text.hidden_size, dv = (uint32_t)cfg->vision.hidden_size;
    vkvlm_status st = vit_load(&m->vision, l, VIT_CLIP, &cfg->vision, "vision_tower.vision_model",
                               cfg->llava.vision_feature_layer, err);
    uint64_t side = (uint64_t)cfg->vision.image_size;
    if (st == VKVLM_OK) st = model_buffer(l, 3 * side * side * 4, "llava.pixels", &m->pixels, err);
    m->image_tokens = m->vision.tokens - 1;
    if (st == VKVLM_OK) st = model_load_linear(l, "multi_modal_projector.linear_1.weight", d, dv, &m->proj1, err);
    if (st == VKVLM_OK) st = model_load_vector(l, "multi_modal_projector.linear_1.bias", d, &m->proj1_b, err);
    if (st == VKVLM_OK) st = model_load_linear(l, "multi_modal_projector.linear_2.weight", d, d, &m->proj2, err);
    if (st == VKVLM_OK) st = model_load_vector(l, "multi_modal_projector.linear_2.bias", d, &m->proj2_b, err);
    if (st == VKVLM_OK)
        st = llama_load(&m->text, l, &cfg->text, "language_model.model", "language_model.lm_head.weight", capacity, err);
    if (st == VKVLM_OK) st = model_buffer(l, (uint64_t)m->image_tokens * d * 4, "llava.proj_hidden", &m->proj_hidden, err);
    if (st == VKVLM_OK) st = model_buffer(l, (uint64_t)m->image_tokens * d * 4, "llava.image_embeds", &m->image_embeds, err);
    return st;
}

void llava_free(llava_model *m) {
    if (!m) return;
    vit_free(&m->vision);
    model_linear_free(&m->proj1);
    model_linear_free(&m->proj2);
    model_vector_free(&m->proj1_b);
    model_vector_free(&m->proj2_b);
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
