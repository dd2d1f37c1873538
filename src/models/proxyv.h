/* proxyv.h — ProxyV's per-layer VisionMLPs (shared/PROXYV.md sections 3 and 5): the weights of a ProxyV-trained
 * original-layout LLaVA checkpoint and the ProxyV decoder layer graph. Which layers run it, and when, is the
 * reduction's business (reduce/proxyv.c); this file only knows the tensors and the arithmetic.
 *
 * Row layout during a ProxyV prefill (one chunk, rows of the llama state):
 *   [0, N)        the crops' image rows (crop after crop, each in raster order)
 *   [N, L)        newline and text rows (the rest of the prompt)
 *   [L, L + n_p)  the proxies (past the prompt's rows, so the decoder's bookkeeping never sees them) */
#ifndef VKVLM_MODELS_PROXYV_H
#define VKVLM_MODELS_PROXYV_H

#include "io/config.h"
#include "models/llama.h"

typedef struct proxyv_mlp {
    model_linear context_proj; /* (d_i, d) on the proxies after the layer */
    model_linear input_proj;   /* (d_i, d) on the image rows entering the layer */
    model_linear proj0;        /* (d_i, 2 d_i) on concat[input, upsampled context] */
    model_linear proj2;        /* (d, d_i) after SiLU */
    model_vector post_norm;    /* (d) layernorm_post, RMSNorm */
} proxyv_mlp;

typedef struct proxyv_model {
    bool loaded;
    int start_layer;        /* L_s */
    int factor;             /* f */
    uint32_t grid;          /* g: a crop is g x g image rows */
    uint32_t proxies;       /* n_p per crop = (g/f)^2 */
    uint32_t width;         /* d_i, from the tensor shapes */
    uint32_t image_rows;    /* N the scratch holds (one crop: "pad") */
    int count;              /* VisionMLPs: num_hidden_layers - start_layer */
    proxyv_mlp *mlp;        /* [count]; mlp[i] serves decoder layer start_layer + i */
    /* scratch */
    gpu_buffer *cat_src;    /* (N + n_p, d_i): input_proj rows, then context_proj rows */
    gpu_buffer *cat;        /* (N, 2 d_i): the concatenation with the nearest-upsampled context */
    gpu_buffer *cat_idx;    /* int32 (2N): cat row 2i <- i, row 2i+1 <- N + the proxy of image row i */
    gpu_buffer *hidden;     /* (N, d_i) */
    gpu_buffer *out;        /* (N, d) */
} proxyv_model;

/* Loads the VisionMLPs under model.vision_mlp_layers.* for cfg->proxyv (spatial variant, one crop of
 * image_rows = g^2 rows) and plans the scratch. Refuses learn_proxy and several crops. */
vkvlm_status proxyv_load(proxyv_model *p, model_loader *l, const vkvlm_config *cfg, uint32_t image_rows,
                         vkvlm_error *err);
void proxyv_free(proxyv_model *p);

/* Proxy init at layer L_s: rows [L, L + n_p) of m's x = bilinear (align_corners=False) g x g -> (g/f) x (g/f) of
 * the image rows [0, N). */
vkvlm_status proxyv_init_proxies(const proxyv_model *p, llama_model *m, gpu_cmd *cmd, uint32_t L, vkvlm_error *err);

/* One ProxyV decoder layer over the layout above (prefill, an empty cache): K/V of all L + n_p rows (the
 * cache keeps them; rows past L are dropped by the caller's length), Q/O/FFN on [N, L + n_p) only, attention
 * by position with the role blocks as two calls (rest rows over [0, L), proxies over [N, L + n_p): proxies
 * never see image rows, rest rows never see proxies), then the image rows' VisionMLP update. */
vkvlm_status proxyv_layer_forward(const proxyv_model *p, llama_model *m, gpu_cmd *cmd, int layer, uint32_t L,
                                  vkvlm_error *err);

/* Multiply-add FLOPs (x2) of one ProxyV layer: L prompt rows of which N image rows, n_p proxies, s text rows
 * before the image (what the proxies see besides each other). */
double proxyv_layer_flops(const proxyv_model *p, const vkvlm_config_text *c, uint32_t L, uint32_t s);

#endif
