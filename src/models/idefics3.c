/* idefics3.c — see idefics3.h. Tensor names as SmolVLM checkpoints store them (model.vision_model.*,
 * model.connector.modality_projection.proj.weight, model.text_model.*, lm_head.weight). */
#include "models/idefics3.h"

#include <stdlib.h>
#include <string.h>

#include "core/status.h"

vkvlm_status idefics3_load(idefics3_model *m, model_loader *l, const vkvlm_config *cfg, uint32_t capacity,
                           uint32_t max_tiles, vkvlm_error *err) {
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    const vkvlm_config_vision *v = &cfg->vision;
    uint32_t d = (uint32_t)cfg->text.hidden_size, dv = (uint32_t)v->hidden_size;
    uint32_t grid = (uint32_t)v->patches_per_side, s = (uint32_t)cfg->idefics3.scale_factor;
    if (s == 0 || grid % s)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "config.json: scale_factor %u does not divide the %u-patch grid", s, grid);
    m->scale = s;
    m->tile_patches = grid * grid;
    m->tile_tokens = m->tile_patches / (s * s);
    m->max_tiles = max_tiles ? max_tiles : 1;
    vkvlm_status st = vit_load(&m->vision, l, VIT_SIGLIP, v, "model.vision_model", -1, err);
    if (st == VKVLM_OK)
        st = model_load_linear(l, "model.connector.modality_projection.proj.weight", d, dv * s * s, &m->connector, err);
    if (st == VKVLM_OK) st = llama_load(&m->text, l, &cfg->text, "model.text_model", "lm_head.weight", capacity, err);
    uint64_t side = (uint64_t)v->image_size, tiles = m->max_tiles;
    struct { gpu_buffer **buf; uint64_t bytes; const char *label; } bufs[] = {
        {&m->pixels, tiles * 3 * side * side * 4, "idefics3.pixels"},
        {&m->shuffle_idx, (uint64_t)m->tile_patches * 4, "idefics3.shuffle_idx"},
        {&m->features, tiles * m->tile_patches * dv * 4, "idefics3.features"},
        {&m->shuffled, (uint64_t)m->tile_patches * dv * 4, "idefics3.shuffled"},
        {&m->image_embeds, tiles * m->tile_tokens * d * 4, "idefics3.image_embeds"},
    };
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0] && st == VKVLM_OK; i++)
        st = model_buffer(l, bufs[i].bytes, bufs[i].label, bufs[i].buf, err);
    if (st == VKVLM_OK && !l->plan_only) {
        int32_t *idx = malloc((size_t)m->tile_patches * sizeof *idx);
        if (!idx) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "idefics3: out of host memory");
        gpu_pixel_shuffle_index(idx, grid, grid, s);
        st = gpu_buffer_write(m->shuffle_idx, 0, idx, (uint64_t)m->tile_patches * 4, err);
        free(idx);
    }
    return st;
}

void idefics3_free(idefics3_model *m) {
    if (!m) return;
    vit_free(&m->vision);
    model_linear_free(&m->connector);
    llama_free(&m->text);
    gpu_buffer *bufs[] = {m->pixels, m->shuffle_idx, m->features, m->shuffled, m->image_embeds};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) gpu_buffer_destroy(bufs[i]);
    memset(m, 0, sizeof *m);
}

vkvlm_status idefics3_encode_images(idefics3_model *m, gpu_cmd *cmd, uint32_t tiles, vkvlm_error *err) {
    uint32_t d = (uint32_t)m->cfg.text.hidden_size, dv = (uint32_t)m->cfg.vision.hidden_size;
    uint32_t p = m->tile_patches, n = m->tile_tokens;
    uint64_t side = (uint64_t)m->cfg.vision.image_size, tile_pixels = 3 * side * side * 4;
    if (tiles > m->max_tiles)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "idefics3: %u tiles, the session was planned for %u", tiles, m->max_tiles);
    vkvlm_status st = VKVLM_OK;
    for (uint32_t t = 0; t < tiles && st == VKVLM_OK; t++) {
        /* SigLIP on tile t, its output kept in features */
        st = vit_forward(&m->vision, cmd, (gpu_binding){m->pixels, t * tile_pixels, tile_pixels}, err);
        uint64_t rows = (uint64_t)p * dv * 4;
        if (st == VKVLM_OK) st = gpu_cmd_copy(cmd, m->features, t * rows, m->vision.h, 0, rows, err);
        /* pixel shuffle: scale^2 neighbouring patches become one token of width d_v * scale^2 */
        if (st == VKVLM_OK)
            st = gpu_op_gather_rows(cmd, gpu_whole(m->shuffled), (gpu_binding){m->features, t * rows, rows},
                                    gpu_whole(m->shuffle_idx), p, dv, p, err);
        /* connector: linear, no bias */
        gpu_binding out = {m->image_embeds, (uint64_t)t * n * d * 4, (uint64_t)n * d * 4};
        if (st == VKVLM_OK) st = gpu_op_linear(cmd, out, gpu_whole(m->shuffled), &m->connector.view, (gpu_binding){0}, n, NULL, err);
    }
    return st;
}

double idefics3_vision_flops(const idefics3_model *m, uint32_t tiles) {
    double d = m->cfg.text.hidden_size, dv = m->cfg.vision.hidden_size, s = m->scale;
    return tiles * (vit_flops(&m->vision) + 2.0 * m->tile_tokens * dv * s * s * d);
}
