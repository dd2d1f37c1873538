/* config.h — a Hugging Face model's config.json (and generation_config.json) as plain C structs.
 *
 * Does: parses config.json with transformers' class defaults filled in, because save_pretrained omits every
 * value equal to its class default (the golden cases' effective_config.json lists what transformers used; the
 * tests compare against it). Families, one row each in config.c's family table {model_type, parse function}:
 *   "llava"        LlavaConfig            text_config (llama) + vision_config (clip_vision_model, siglip_vision_model)
 *   "idefics3"     Idefics3Config         text_config (llama) + vision_config (Idefics3VisionConfig), SmolVLM
 *   "llava_llama"  LLaVA's original layout (LlavaLlamaForCausalLM, ProxyV): Llama keys at the top level plus
 *                  mm_* and proxyv* keys; the vision config comes from the mm_vision_tower folder (load only)
 * Validates types and values: wrong JSON types, missing required keys, duplicate keys, and nonsense (zero
 * layers, heads not dividing the width, a pixel-shuffle factor not dividing the patch grid) fail with a message
 * naming the file and the key path ("…/config.json: text_config.num_key_value_heads 5 does not divide
 * num_attention_heads 32"). Unknown keys are ignored (real configs carry dozens of training-only keys).
 * Does not: read tokenizer files or preprocessor_config.json (io/tokenizer, io/image do), pick which tensors a
 * model needs (models/), or support rope_scaling yet (a non-null one is VKVLM_ERR_UNSUPPORTED rather than
 * silently wrong positions).
 *
 * Adding a family (e.g. qwen2_vl): an enum value below, a parse function and one row in config.c's family
 * table; a new text model (qwen2) is one row in the text table; a new vision tower one row in the vision table.
 *
 * vkvlm_config holds no heap memory (strings are fixed arrays): there is nothing to free.
 * Transformers version: defaults are those of transformers 4.47 (the golden cases' version), plus
 * `multimodal_projector_bias` (4.49+, default true).
 */
#ifndef VKVLM_IO_CONFIG_H
#define VKVLM_IO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "vkvlm.h"

#define VKVLM_CONFIG_NAME_MAX 64  /* longest model_type / short string value kept, NUL included */
#define VKVLM_CONFIG_PATH_MAX 512 /* longest mm_vision_tower / path kept, NUL included */
#define VKVLM_CONFIG_MAX_EOS 8    /* eos_token_id may be a list (Llama 3); longer lists are VKVLM_ERR_LIMIT */

typedef enum vkvlm_config_family {
    VKVLM_CONFIG_FAMILY_UNSET = 0,
    VKVLM_CONFIG_LLAVA,       /* model_type "llava": llava-hf LlavaForConditionalGeneration */
    VKVLM_CONFIG_IDEFICS3,    /* model_type "idefics3": Idefics3ForConditionalGeneration (SmolVLM) */
    VKVLM_CONFIG_LLAVA_LLAMA, /* model_type "llava_llama": original LLaVA layout, e.g. ProxyV */
    VKVLM_CONFIG_FAMILY_COUNT
} vkvlm_config_family;

/* Activation functions, from transformers' ACT2FN names. */
typedef enum vkvlm_config_act {
    VKVLM_CONFIG_ACT_UNSET = 0,
    VKVLM_CONFIG_ACT_SILU,       /* "silu", "swish": x * sigmoid(x) */
    VKVLM_CONFIG_ACT_GELU,       /* "gelu": exact, 0.5 x (1 + erf(x / sqrt 2)) */
    VKVLM_CONFIG_ACT_GELU_TANH,  /* "gelu_pytorch_tanh", "gelu_new", "gelu_fast": tanh approximation */
    VKVLM_CONFIG_ACT_QUICK_GELU, /* "quick_gelu": x * sigmoid(1.702 x) */
    VKVLM_CONFIG_ACT_RELU,       /* "relu" */
    VKVLM_CONFIG_ACT_COUNT
} vkvlm_config_act;

/* Which vision tokens reach the projector. */
typedef enum vkvlm_config_select {
    VKVLM_CONFIG_SELECT_UNSET = 0,
    VKVLM_CONFIG_SELECT_DEFAULT, /* drop the CLS token: llava "default", llava_llama "patch" */
    VKVLM_CONFIG_SELECT_FULL,    /* keep every token: llava "full", llava_llama "cls_patch" */
} vkvlm_config_select;

/* The language model (LlamaConfig today). */
typedef struct vkvlm_config_text {
    char model_type[VKVLM_CONFIG_NAME_MAX];  /* "llama" */
    int vocab_size;                          /* rows of embed_tokens and lm_head; default 32000 */
    int hidden_size;                         /* d; default 4096 */
    int intermediate_size;                   /* MLP width; default 11008 */
    int num_hidden_layers;                   /* decoder layers; default 32 */
    int num_attention_heads;                 /* query heads; default 32 */
    int num_key_value_heads;                 /* KV heads (GQA); default = num_attention_heads */
    int head_dim;                            /* per head; default hidden_size / num_attention_heads */
    int max_position_embeddings;             /* positions; default 2048 */
    vkvlm_config_act hidden_act;             /* MLP gate activation; default silu */
    double rms_norm_eps;                     /* RMSNorm epsilon; default 1e-6 */
    double rope_theta;                       /* RoPE base; default 10000 */
    bool tie_word_embeddings;                /* lm_head shares embed_tokens; default false. The one models use */
    bool attention_bias;                     /* q/k/v/o projections have biases; default false */
    bool mlp_bias;                           /* gate/up/down have biases; default false */
    int bos_token_id;                        /* default 1; -1 when null */
    int eos_token_ids[VKVLM_CONFIG_MAX_EOS]; /* default {2}; eos_token_id as int or list */
    int n_eos_token_ids;                     /* entries used in eos_token_ids; 0 when null */
    int pad_token_id;                        /* default -1 (none) */
} vkvlm_config_text;

/* The vision tower (CLIP, SigLIP, Idefics3's SigLIP variant). */
typedef struct vkvlm_config_vision {
    char model_type[VKVLM_CONFIG_NAME_MAX]; /* "clip_vision_model" | "siglip_vision_model" | "idefics3_vision";
                                               "" when not known (llava_llama whose tower folder was not found) */
    int hidden_size;                        /* d_v */
    int intermediate_size;                  /* MLP width */
    int num_hidden_layers;                  /* encoder layers */
    int num_attention_heads;                /* heads; divides hidden_size */
    int num_channels;                       /* input channels, 3 */
    int image_size;                         /* input side in pixels */
    int patch_size;                         /* conv kernel = stride, pixels */
    int projection_dim;                     /* CLIP's (unused) visual projection width; 0 for others */
    vkvlm_config_act hidden_act;            /* MLP activation */
    double layer_norm_eps;                  /* LayerNorm epsilon */
    int head_dim;                           /* derived: hidden_size / num_attention_heads */
    int patches_per_side;                   /* derived: image_size / patch_size, rounded down as the conv does */
} vkvlm_config_vision;

/* LlavaConfig's own keys. */
typedef struct vkvlm_config_llava {
    vkvlm_config_act projector_hidden_act;     /* between linear_1 and linear_2; default gelu */
    int vision_feature_layer;                  /* index into hidden_states (n_layers + 1 entries); default -2 */
    vkvlm_config_select vision_feature_select; /* vision_feature_select_strategy; default "default" */
    int image_seq_length;                      /* image tokens per image; default 576 */
    bool multimodal_projector_bias;            /* projector linears have biases; default true */
} vkvlm_config_llava;

/* Idefics3Config's own keys. */
typedef struct vkvlm_config_idefics3 {
    int scale_factor; /* pixel-shuffle factor; default 2; divides vision patches_per_side */
} vkvlm_config_idefics3;

/* The original LLaVA layout's mm_* keys (LLaVA's builder code defaults in brackets). */
typedef struct vkvlm_config_llava_llama {
    char mm_vision_tower[VKVLM_CONFIG_PATH_MAX];    /* required: a Hub id or a folder name */
    int mm_hidden_size;                             /* required: d_v, the projector input width */
    char mm_projector_type[VKVLM_CONFIG_NAME_MAX];  /* "linear" | "mlp<N>x_gelu" | "identity" ["linear"] */
    int mm_projector_depth;                         /* derived: Linear layers (1 linear, N mlpNx_gelu, 0 identity) */
    int mm_vision_select_layer;                     /* required: index into the tower's hidden_states */
    vkvlm_config_select mm_vision_select_feature;   /* "patch" -> DEFAULT, "cls_patch" -> FULL ["patch"] */
    char image_aspect_ratio[VKVLM_CONFIG_NAME_MAX]; /* "pad", "anyres", ...; "" when absent (plain resize) */
    bool mm_use_im_start_end;                       /* extra image start/end tokens [false] */
    bool mm_use_im_patch_token;                     /* extra image patch token [false] */
    int tokenizer_model_max_length;                 /* 0 when absent */
    char vision_config_path[VKVLM_CONFIG_PATH_MAX]; /* the tower config.json that filled vision; "" if none */
} vkvlm_config_llava_llama;

/* ProxyV's keys (llava_llama only; see shared/PROXYV.md §2). */
typedef struct vkvlm_config_proxyv {
    bool enabled;            /* "proxyv"; default false. When true the next three are required */
    int start_layer;         /* proxyv_start_layer: first ProxyV decoder layer, 0-based, < num_hidden_layers */
    int reduce_factor;       /* proxyv_reduce_factor f: the g x g crop grid becomes (g/f)^2 proxies */
    int per_crop_token_len;  /* P = g^2 image tokens per crop; g divisible by f */
    int max_num_image_crops; /* default 1 */
    bool learn_proxy;        /* non-spatial variant; default false */
} vkvlm_config_proxyv;

/* generation_config.json (optional file). */
typedef struct vkvlm_generation_config {
    bool present;                            /* the file was found and parsed */
    int bos_token_id;                        /* -1 when absent or null */
    int eos_token_ids[VKVLM_CONFIG_MAX_EOS]; /* where generation stops */
    int n_eos_token_ids;                     /* 0 when absent or null */
    int pad_token_id;                        /* -1 when absent or null */
} vkvlm_generation_config;

typedef struct vkvlm_config {
    vkvlm_config_family family;             /* from model_type */
    char model_type[VKVLM_CONFIG_NAME_MAX]; /* as written */
    vkvlm_config_text text;                 /* language model; for llava_llama, the top-level keys */
    vkvlm_config_vision vision;             /* vision tower */
    int image_token_id;                     /* id of the image placeholder: llava image_token_index (32000),
                                               idefics3 image_token_id (128257); llava_llama -200, which is
                                               no vocabulary id (LLaVA's IMAGE_TOKEN_INDEX). May be >=
                                               text.vocab_size: those rows are replaced, never looked up */
    int pad_token_id;                       /* top-level pad id; -1 when absent or null */
    bool tie_word_embeddings;               /* top-level key as transformers holds it (llava true from
                                               PretrainedConfig, idefics3 false); weight tying follows
                                               text.tie_word_embeddings */
    vkvlm_config_llava llava;               /* family LLAVA only */
    vkvlm_config_idefics3 idefics3;         /* family IDEFICS3 only */
    vkvlm_config_llava_llama llava_llama;   /* family LLAVA_LLAMA only */
    vkvlm_config_proxyv proxyv;             /* family LLAVA_LLAMA only */
    vkvlm_generation_config generation;     /* filled by vkvlm_config_load; zero (present false) after parse */
} vkvlm_config;

/* Parses config.json text json[len] (need not be NUL-terminated) into *cfg, defaults filled in. label names
 * the file in messages. Errors: VKVLM_ERR_FORMAT (malformed JSON, wrong types, missing or nonsense values),
 * VKVLM_ERR_UNSUPPORTED (unknown model_type/activation, rope_scaling, lists where one int is supported),
 * VKVLM_ERR_LIMIT (a string longer than its field). The vision config of llava_llama stays unset here. */
vkvlm_status vkvlm_config_parse(vkvlm_config *cfg, const char *json, size_t len, const char *label, vkvlm_error *err);

/* Loads dir/config.json (required, VKVLM_ERR_IO if missing), dir/generation_config.json (optional) and, for
 * llava_llama, the tower's config.json from the folder mm_vision_tower names: dir/<tower>, then
 * dir/../<tower> (the golden ProxyV case), then <tower> as given. A CLIPModel config ("clip") contributes its
 * vision_config. If no folder is found (a Hub id), vision.model_type stays "" and models/ must refuse. */
vkvlm_status vkvlm_config_load(vkvlm_config *cfg, const char *dir, vkvlm_error *err);

/* Parses generation_config.json text; sets gen->present. */
vkvlm_status vkvlm_generation_config_parse(vkvlm_generation_config *gen, const char *json, size_t len,
                                           const char *label, vkvlm_error *err);

/* "llava", "idefics3", "llava_llama"; "unset" otherwise. Never NULL. */
const char *vkvlm_config_family_name(vkvlm_config_family family);
/* Canonical ACT2FN name: "silu", "gelu", "gelu_pytorch_tanh", "quick_gelu", "relu"; "unset" otherwise. */
const char *vkvlm_config_act_name(vkvlm_config_act act);

#endif
