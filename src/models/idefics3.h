/* idefics3.h — SmolVLM / Idefics3: SigLIP vision tower -> pixel shuffle -> linear connector -> LLaMA decoder.
 * An image arrives as tiles (a row x col grid plus one global image, or the global image alone); each tile
 * runs the tower, its features are pixel-shuffled (scale_factor^2 neighbouring patches folded into one
 * token, transformers' Idefics3Connector order) and projected; the tiles' embeddings follow each other in
 * image_embeds, in the order the prompt's <image> tokens take them. */
#ifndef VKVLM_MODELS_IDEFICS3_H
#define VKVLM_MODELS_IDEFICS3_H

#include "models/llama.h"
#include "models/vit.h"

typedef struct idefics3_model {
    vkvlm_config cfg;
    vit_model vision;          /* SigLIP */
    model_linear connector;    /* (d, d_v * scale^2), no bias */
    llama_model text;
    uint32_t scale;            /* pixel-shuffle factor */
    uint32_t tile_patches;     /* patches per tile */
    uint32_t tile_tokens;      /* image tokens per tile: tile_patches / scale^2 */
    uint32_t max_tiles;        /* tiles one image may bring (splitting grid + global image) */
    gpu_buffer *pixels;        /* (max_tiles, 3, S, S) */
    gpu_buffer *shuffle_idx;   /* int32 (tile_patches) the pixel-shuffle row gather */
    gpu_buffer *features;      /* (max_tiles * tile_patches, d_v) vision output per tile (what --dump shows) */
    gpu_buffer *shuffled;      /* (tile_patches, d_v) = (tile_tokens, d_v * scale^2) */
    gpu_buffer *image_embeds;  /* (max_tiles * tile_tokens, d) connector output */
} idefics3_model;

vkvlm_status idefics3_load(idefics3_model *m, model_loader *l, const vkvlm_config *cfg, uint32_t capacity,
                           uint32_t max_tiles, vkvlm_error *err);
void idefics3_free(idefics3_model *m);
/* Records tower + connector for `tiles` tiles already in m->pixels; result in m->image_embeds. */
vkvlm_status idefics3_encode_images(idefics3_model *m, gpu_cmd *cmd, uint32_t tiles, vkvlm_error *err);
double idefics3_vision_flops(const idefics3_model *m, uint32_t tiles);

#endif
