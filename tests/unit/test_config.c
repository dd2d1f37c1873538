/* test_config.c — config.json parsing: transformers' defaults, verified against the golden cases'
 * effective_config.json; tensor shapes implied by each config, checked against its checkpoint; and every kind
 * of bad config (malformed, wrong types, missing keys, nonsense values), each with the right status and a
 * message naming the file and the key. Golden tests SKIP when VKVLM_GOLDEN_DIR is unset.
 */
#define _POSIX_C_SOURCE 200809L

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file_map.h"
#include "core/status.h"
#include "io/config.h"
#include "io/safetensors.h"
#include "test.h"

static const char *golden_dir(void) {
    const char *g = getenv("VKVLM_GOLDEN_DIR");
    if (!g || !*g) return NULL;
    struct stat sb;
    return stat(g, &sb) == 0 && S_ISDIR(sb.st_mode) ? g : NULL;
}

static cJSON *read_json_file(const char *path) {
    vkvlm_file_map map = {0};
    vkvlm_error err = {0};
    if (vkvlm_file_map_open(&map, path, &err) != VKVLM_OK) {
        fprintf(stderr, "%s\n", err.message);
        return NULL;
    }
    cJSON *root = cJSON_ParseWithLength((const char *)map.data, map.size);
    vkvlm_file_map_close(&map);
    return root;
}

static vkvlm_status parse_str(vkvlm_config *cfg, const char *json, vkvlm_error *err) {
    return vkvlm_config_parse(cfg, json, strlen(json), "m/config.json", err);
}

/* ---------------------------------------------------------------- comparisons with effective_config.json */

/* `what` names the case and key in failure output. Missing keys fail unless allow_missing. */
static void cmp_int(const char *what, const cJSON *obj, const char *key, int have) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    TEST_CHECK_MSG(v != NULL, "%s.%s missing from the effective config", what, key);
    if (!v) return;
    int want = cJSON_IsNull(v) ? -1 : (int)v->valuedouble;
    TEST_CHECK_MSG(cJSON_IsNull(v) || cJSON_IsNumber(v), "%s.%s not a number", what, key);
    TEST_CHECK_MSG(have == want, "%s.%s: parsed %d, transformers used %d", what, key, have, want);
}

static void cmp_double(const char *what, const cJSON *obj, const char *key, double have) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    TEST_CHECK_MSG(cJSON_IsNumber(v), "%s.%s missing or not a number", what, key);
    if (cJSON_IsNumber(v))
        TEST_CHECK_MSG(have == v->valuedouble, "%s.%s: parsed %.17g, transformers used %.17g", what, key, have,
                       v->valuedouble);
}

static void cmp_bool(const char *what, const cJSON *obj, const char *key, bool have) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    TEST_CHECK_MSG(cJSON_IsBool(v), "%s.%s missing or not a bool", what, key);
    if (cJSON_IsBool(v)) TEST_CHECK_MSG(have == (bool)cJSON_IsTrue(v), "%s.%s: parsed %d", what, key, (int)have);
}

/* null in the effective config compares equal to "" */
static void cmp_str(const char *what, const cJSON *obj, const char *key, const char *have) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    TEST_CHECK_MSG(v != NULL, "%s.%s missing", what, key);
    if (!v) return;
    const char *want = cJSON_IsString(v) ? v->valuestring : "";
    TEST_CHECK_MSG(strcmp(have, want) == 0, "%s.%s: parsed '%s', transformers used '%s'", what, key, have, want);
}

static void cmp_ids(const char *what, const cJSON *obj, const char *key, const int *ids, int n) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    TEST_CHECK_MSG(v != NULL, "%s.%s missing", what, key);
    if (!v) return;
    if (cJSON_IsNull(v))
        TEST_CHECK_MSG(n == 0, "%s.%s: parsed %d ids, transformers has null", what, key, n);
    else if (cJSON_IsNumber(v))
        TEST_CHECK_MSG(n == 1 && ids[0] == (int)v->valuedouble, "%s.%s differs", what, key);
    else {
        TEST_CHECK_INT(n, cJSON_GetArraySize(v));
        int i = 0;
        for (const cJSON *e = v->child; e && i < n; e = e->next, i++) TEST_CHECK_INT(ids[i], (int)e->valuedouble);
    }
}

/* top_level: the text keys sit in the root (llava_llama), whose model_type names the family, not "llama" */
static void cmp_text(const char *what, const cJSON *e, const vkvlm_config_text *t, int top_level) {
    TEST_CHECK_MSG(e != NULL, "%s: no text config in the effective config", what);
    if (!e) return;
    if (!top_level)
        cmp_str(what, e, "model_type", t->model_type);
    else
        TEST_CHECK_STR(t->model_type, "llama");
    cmp_int(what, e, "vocab_size", t->vocab_size);
    cmp_int(what, e, "hidden_size", t->hidden_size);
    cmp_int(what, e, "intermediate_size", t->intermediate_size);
    cmp_int(what, e, "num_hidden_layers", t->num_hidden_layers);
    cmp_int(what, e, "num_attention_heads", t->num_attention_heads);
    cmp_int(what, e, "num_key_value_heads", t->num_key_value_heads);
    cmp_int(what, e, "head_dim", t->head_dim);
    cmp_int(what, e, "max_position_embeddings", t->max_position_embeddings);
    cmp_str(what, e, "hidden_act", vkvlm_config_act_name(t->hidden_act));
    cmp_double(what, e, "rms_norm_eps", t->rms_norm_eps);
    cmp_double(what, e, "rope_theta", t->rope_theta);
    TEST_CHECK_MSG(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "rope_scaling")), "%s: rope_scaling set", what);
    cmp_bool(what, e, "tie_word_embeddings", t->tie_word_embeddings);
    cmp_bool(what, e, "attention_bias", t->attention_bias);
    cmp_bool(what, e, "mlp_bias", t->mlp_bias);
    cmp_int(what, e, "bos_token_id", t->bos_token_id);
    cmp_ids(what, e, "eos_token_id", t->eos_token_ids, t->n_eos_token_ids);
    cmp_int(what, e, "pad_token_id", t->pad_token_id);
}

static void cmp_vision(const char *what, const cJSON *e, const vkvlm_config_vision *v) {
    TEST_CHECK_MSG(e != NULL, "%s: no vision config", what);
    if (!e) return;
    cmp_str(what, e, "model_type", v->model_type);
    cmp_int(what, e, "hidden_size", v->hidden_size);
    cmp_int(what, e, "intermediate_size", v->intermediate_size);
    cmp_int(what, e, "num_hidden_layers", v->num_hidden_layers);
    cmp_int(what, e, "num_attention_heads", v->num_attention_heads);
    cmp_int(what, e, "num_channels", v->num_channels);
    cmp_int(what, e, "image_size", v->image_size);
    cmp_int(what, e, "patch_size", v->patch_size);
    if (strcmp(v->model_type, "clip_vision_model") == 0) cmp_int(what, e, "projection_dim", v->projection_dim);
    cmp_str(what, e, "hidden_act", vkvlm_config_act_name(v->hidden_act));
    cmp_double(what, e, "layer_norm_eps", v->layer_norm_eps);
}

static const char *select_name(vkvlm_config_select s, int llava_llama) {
    if (s == VKVLM_CONFIG_SELECT_DEFAULT) return llava_llama ? "patch" : "default";
    if (s == VKVLM_CONFIG_SELECT_FULL) return llava_llama ? "cls_patch" : "full";
    return "unset";
}

static const char *const golden_cases[] = {"llava15_tiny_f32", "smolvlm_tiny_f16", "llava15_ficoco_v_f32",
                                           "llava15_ficoco_l_f32", "proxyv_tiny_f32"};
#define GOLDEN_COUNT (sizeof golden_cases / sizeof golden_cases[0])

static void test_golden_vs_effective(void) {
    const char *g = golden_dir();
    if (!g) {
        TEST_SKIP("VKVLM_GOLDEN_DIR unset or missing");
        return;
    }
    for (size_t i = 0; i < GOLDEN_COUNT; i++) {
        const char *name = golden_cases[i];
        char dir[1024], path[1100];
        snprintf(dir, sizeof dir, "%s/%s/checkpoint", g, name);
        vkvlm_config cfg;
        vkvlm_error err = {0};
        TEST_CHECK_INT(vkvlm_config_load(&cfg, dir, &err), VKVLM_OK);
        TEST_CHECK_MSG(err.status == VKVLM_OK, "%s: %s", name, err.message);
        if (err.status != VKVLM_OK) continue;
        snprintf(path, sizeof path, "%s/%s/effective_config.json", g, name);
        cJSON *eff = read_json_file(path);
        TEST_CHECK_MSG(eff != NULL, "cannot read %s", path);
        if (!eff) continue;
        char what[128];
        cmp_str(name, eff, "model_type", cfg.model_type);
        TEST_CHECK_STR(vkvlm_config_family_name(cfg.family), cfg.model_type);

        if (cfg.family == VKVLM_CONFIG_LLAVA) {
            snprintf(what, sizeof what, "%s.text_config", name);
            cmp_text(what, cJSON_GetObjectItemCaseSensitive(eff, "text_config"), &cfg.text, 0);
            snprintf(what, sizeof what, "%s.vision_config", name);
            cmp_vision(what, cJSON_GetObjectItemCaseSensitive(eff, "vision_config"), &cfg.vision);
            cmp_int(name, eff, "image_token_index", cfg.image_token_id);
            cmp_str(name, eff, "projector_hidden_act", vkvlm_config_act_name(cfg.llava.projector_hidden_act));
            cmp_int(name, eff, "vision_feature_layer", cfg.llava.vision_feature_layer);
            cmp_str(name, eff, "vision_feature_select_strategy", select_name(cfg.llava.vision_feature_select, 0));
            cmp_int(name, eff, "image_seq_length", cfg.llava.image_seq_length);
            cmp_int(name, eff, "pad_token_id", cfg.pad_token_id);
            cmp_bool(name, eff, "tie_word_embeddings", cfg.tie_word_embeddings);
            /* transformers 4.47 predates multimodal_projector_bias; its projector always has biases */
            if (cJSON_GetObjectItemCaseSensitive(eff, "multimodal_projector_bias"))
                cmp_bool(name, eff, "multimodal_projector_bias", cfg.llava.multimodal_projector_bias);
            else
                TEST_CHECK(cfg.llava.multimodal_projector_bias);
        } else if (cfg.family == VKVLM_CONFIG_IDEFICS3) {
            snprintf(what, sizeof what, "%s.text_config", name);
            cmp_text(what, cJSON_GetObjectItemCaseSensitive(eff, "text_config"), &cfg.text, 0);
            snprintf(what, sizeof what, "%s.vision_config", name);
            cmp_vision(what, cJSON_GetObjectItemCaseSensitive(eff, "vision_config"), &cfg.vision);
            cmp_int(name, eff, "image_token_id", cfg.image_token_id);
            cmp_int(name, eff, "scale_factor", cfg.idefics3.scale_factor);
            cmp_int(name, eff, "pad_token_id", cfg.pad_token_id);
            cmp_bool(name, eff, "tie_word_embeddings", cfg.tie_word_embeddings);
        } else if (cfg.family == VKVLM_CONFIG_LLAVA_LLAMA) {
            const vkvlm_config_llava_llama *m = &cfg.llava_llama;
            cmp_text(name, eff, &cfg.text, 1);
            cmp_str(name, eff, "mm_vision_tower", m->mm_vision_tower);
            cmp_int(name, eff, "mm_hidden_size", m->mm_hidden_size);
            cmp_str(name, eff, "mm_projector_type", m->mm_projector_type);
            TEST_CHECK_INT(m->mm_projector_depth, 2);
            cmp_int(name, eff, "mm_vision_select_layer", m->mm_vision_select_layer);
            cmp_str(name, eff, "mm_vision_select_feature", select_name(m->mm_vision_select_feature, 1));
            cmp_str(name, eff, "image_aspect_ratio", m->image_aspect_ratio);
            cmp_bool(name, eff, "mm_use_im_start_end", m->mm_use_im_start_end);
            cmp_bool(name, eff, "mm_use_im_patch_token", m->mm_use_im_patch_token);
            cmp_int(name, eff, "tokenizer_model_max_length", m->tokenizer_model_max_length);
            cmp_bool(name, eff, "proxyv", cfg.proxyv.enabled);
            cmp_int(name, eff, "proxyv_start_layer", cfg.proxyv.start_layer);
            cmp_int(name, eff, "proxyv_reduce_factor", cfg.proxyv.reduce_factor);
            cmp_int(name, eff, "per_crop_token_len", cfg.proxyv.per_crop_token_len);
            cmp_int(name, eff, "max_num_image_crops", cfg.proxyv.max_num_image_crops);
            cmp_bool(name, eff, "learn_proxy", cfg.proxyv.learn_proxy);
            cmp_int(name, eff, "pad_token_id", cfg.pad_token_id);
            TEST_CHECK_INT(cfg.image_token_id, -200);
            /* the vision tower comes from the sibling CLIP folder's config.json */
            TEST_CHECK(strstr(m->vision_config_path, "clip-vit-tiny-patch14-112/config.json") != NULL);
            snprintf(path, sizeof path, "%s/%s/clip-vit-tiny-patch14-112/config.json", g, name);
            cJSON *tower = read_json_file(path);
            snprintf(what, sizeof what, "%s.tower", name);
            cmp_vision(what, tower, &cfg.vision);
            cJSON_Delete(tower);
        } else {
            TEST_CHECK_MSG(0, "%s: unexpected family %d", name, (int)cfg.family);
        }
        /* derived values */
        TEST_CHECK_INT(cfg.vision.head_dim * cfg.vision.num_attention_heads, cfg.vision.hidden_size);
        TEST_CHECK_INT(cfg.vision.patches_per_side, cfg.vision.image_size / cfg.vision.patch_size);

        /* generation_config.json as written */
        snprintf(path, sizeof path, "%s/%s/checkpoint/generation_config.json", g, name);
        cJSON *gen = read_json_file(path);
        TEST_CHECK(cfg.generation.present);
        snprintf(what, sizeof what, "%s.generation", name);
        cmp_int(what, gen, "bos_token_id", cfg.generation.bos_token_id);
        cmp_ids(what, gen, "eos_token_id", cfg.generation.eos_token_ids, cfg.generation.n_eos_token_ids);
        cmp_int(what, gen, "pad_token_id", cfg.generation.pad_token_id);
        cJSON_Delete(gen);
        cJSON_Delete(eff);
    }
}

/* ---------------------------------------------------------------- shapes implied by the configs */

/* Checks the Llama tensors under prefix ("language_model.model.") against t, and that there are exactly
 * num_hidden_layers layers. */
static void check_llama_shapes(const vkvlm_checkpoint *ck, const char *prefix, const char *lm_head,
                               const vkvlm_config_text *t) {
    char n[256];
    vkvlm_error err = {0};
    int64_t d = t->hidden_size, q = (int64_t)t->num_attention_heads * t->head_dim;
    int64_t kv = (int64_t)t->num_key_value_heads * t->head_dim, m = t->intermediate_size, v = t->vocab_size;
    snprintf(n, sizeof n, "%sembed_tokens.weight", prefix);
    TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, n, VKVLM_SHAPE(v, d), NULL, &err), VKVLM_OK);
    snprintf(n, sizeof n, "%snorm.weight", prefix);
    TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, n, VKVLM_SHAPE(d), NULL, &err), VKVLM_OK);
    if (!t->tie_word_embeddings)
        TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, lm_head, VKVLM_SHAPE(v, d), NULL, &err), VKVLM_OK);
    for (int l = 0; l < t->num_hidden_layers; l++) {
        static const char *const proj[] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                                           "self_attn.o_proj", "mlp.gate_proj",    "mlp.up_proj",
                                           "mlp.down_proj"};
        const int64_t rows[] = {q, kv, kv, d, m, m, d};
        const int64_t cols[] = {d, d, d, q, d, d, m};
        for (int p = 0; p < 7; p++) {
            snprintf(n, sizeof n, "%slayers.%d.%s.weight", prefix, l, proj[p]);
            TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, n, VKVLM_SHAPE(rows[p], cols[p]), NULL, &err), VKVLM_OK);
        }
        snprintf(n, sizeof n, "%slayers.%d.input_layernorm.weight", prefix, l);
        TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, n, VKVLM_SHAPE(d), NULL, &err), VKVLM_OK);
        snprintf(n, sizeof n, "%slayers.%d.post_attention_layernorm.weight", prefix, l);
        TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, n, VKVLM_SHAPE(d), NULL, &err), VKVLM_OK);
    }
    snprintf(n, sizeof n, "%slayers.%d.input_layernorm.weight", prefix, t->num_hidden_layers);
    TEST_CHECK_MSG(vkvlm_checkpoint_find(ck, n) == NULL, "%s exists: more layers than the config says", n);
    TEST_CHECK_MSG(err.status == VKVLM_OK, "%s", err.message);
}

/* The vision encoder under prefix ("vision_tower.vision_model."); cls = CLIP's class token + pre-LN. */
static void check_vision_shapes(const vkvlm_checkpoint *ck, const char *prefix, const vkvlm_config_vision *v, int cls,
                                int patch_bias) {
    char n[256];
    vkvlm_error err = {0};
    int64_t dv = v->hidden_size, p = v->patch_size, pos = (int64_t)v->patches_per_side * v->patches_per_side + cls;
    snprintf(n, sizeof n, "%sembeddings.patch_embedding.weight", prefix);
    TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, n, VKVLM_SHAPE(dv, v->num_channels, p, p), NULL, &err), VKVLM_OK);
    snprintf(n, sizeof n, "%sembeddings.patch_embedding.bias", prefix);
    TEST_CHECK_INT(vkvlm_checkpoint_find(ck, n) != NULL, patch_bias);
    snprintf(n, sizeof n, "%sembeddings.position_embedding.weight", prefix);
    TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, n, VKVLM_SHAPE(pos, dv), NULL, &err), VKVLM_OK);
    if (cls) {
        snprintf(n, sizeof n, "%sembeddings.class_embedding", prefix);
        TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, n, VKVLM_SHAPE(dv), NULL, &err), VKVLM_OK);
        snprintf(n, sizeof n, "%spre_layrnorm.weight", prefix);
        TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, n, VKVLM_SHAPE(dv), NULL, &err), VKVLM_OK);
    }
    for (int l = 0; l < v->num_hidden_layers; l++) {
        snprintf(n, sizeof n, "%sencoder.layers.%d.self_attn.q_proj.weight", prefix, l);
        TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, n, VKVLM_SHAPE(dv, dv), NULL, &err), VKVLM_OK);
        snprintf(n, sizeof n, "%sencoder.layers.%d.mlp.fc1.weight", prefix, l);
        TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, n, VKVLM_SHAPE(v->intermediate_size, dv), NULL, &err), VKVLM_OK);
        snprintf(n, sizeof n, "%sencoder.layers.%d.mlp.fc2.weight", prefix, l);
        TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, n, VKVLM_SHAPE(dv, v->intermediate_size), NULL, &err), VKVLM_OK);
        snprintf(n, sizeof n, "%sencoder.layers.%d.layer_norm1.bias", prefix, l);
        TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(ck, n, VKVLM_SHAPE(dv), NULL, &err), VKVLM_OK);
    }
    snprintf(n, sizeof n, "%sencoder.layers.%d.mlp.fc1.weight", prefix, v->num_hidden_layers);
    TEST_CHECK_MSG(vkvlm_checkpoint_find(ck, n) == NULL, "%s exists: more layers than the config says", n);
    TEST_CHECK_MSG(err.status == VKVLM_OK, "%s", err.message);
}

static void test_golden_shapes_match_config(void) {
    const char *g = golden_dir();
    if (!g) {
        TEST_SKIP("VKVLM_GOLDEN_DIR unset or missing");
        return;
    }
    for (size_t i = 0; i < GOLDEN_COUNT; i++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s/checkpoint", g, golden_cases[i]);
        vkvlm_config cfg;
        vkvlm_checkpoint ck = {0};
        vkvlm_error err = {0};
        TEST_CHECK_INT(vkvlm_config_load(&cfg, dir, &err), VKVLM_OK);
        TEST_CHECK_INT(vkvlm_checkpoint_open(&ck, dir, &err), VKVLM_OK);
        TEST_CHECK_MSG(err.status == VKVLM_OK, "%s", err.message);
        if (err.status != VKVLM_OK) {
            vkvlm_checkpoint_close(&ck);
            continue;
        }
        int64_t d = cfg.text.hidden_size, dv = cfg.vision.hidden_size;
        if (cfg.family == VKVLM_CONFIG_LLAVA) {
            check_llama_shapes(&ck, "language_model.model.", "language_model.lm_head.weight", &cfg.text);
            check_vision_shapes(&ck, "vision_tower.vision_model.", &cfg.vision, 1, 0);
            TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(&ck, "multi_modal_projector.linear_1.weight", VKVLM_SHAPE(d, dv),
                                                       NULL, &err),
                           VKVLM_OK);
            TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(&ck, "multi_modal_projector.linear_2.weight", VKVLM_SHAPE(d, d),
                                                       NULL, &err),
                           VKVLM_OK);
            TEST_CHECK_INT(
                vkvlm_checkpoint_get_shaped(&ck, "multi_modal_projector.linear_2.bias", VKVLM_SHAPE(d), NULL, &err),
                VKVLM_OK);
            /* image tokens: patches minus CLS ("default") */
            TEST_CHECK_INT(cfg.llava.image_seq_length, cfg.vision.patches_per_side * cfg.vision.patches_per_side);
        } else if (cfg.family == VKVLM_CONFIG_IDEFICS3) {
            int64_t s = cfg.idefics3.scale_factor;
            check_llama_shapes(&ck, "model.text_model.", "lm_head.weight", &cfg.text);
            check_vision_shapes(&ck, "model.vision_model.", &cfg.vision, 0, 1);
            TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(&ck, "model.connector.modality_projection.proj.weight",
                                                       VKVLM_SHAPE(d, dv * s * s), NULL, &err),
                           VKVLM_OK);
            TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(&ck, "model.vision_model.post_layernorm.weight", VKVLM_SHAPE(dv),
                                                       NULL, &err),
                           VKVLM_OK);
        } else if (cfg.family == VKVLM_CONFIG_LLAVA_LLAMA) {
            check_llama_shapes(&ck, "model.", "lm_head.weight", &cfg.text);
            check_vision_shapes(&ck, "model.vision_tower.vision_tower.vision_model.", &cfg.vision, 1, 0);
            int64_t mm = cfg.llava_llama.mm_hidden_size;
            TEST_CHECK_INT(
                vkvlm_checkpoint_get_shaped(&ck, "model.mm_projector.0.weight", VKVLM_SHAPE(d, mm), NULL, &err),
                VKVLM_OK);
            TEST_CHECK_INT(
                vkvlm_checkpoint_get_shaped(&ck, "model.mm_projector.2.weight", VKVLM_SHAPE(d, d), NULL, &err),
                VKVLM_OK);
            TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(&ck, "model.image_newline", VKVLM_SHAPE(d), NULL, &err),
                           VKVLM_OK);
            /* one VisionMLP per decoder layer from proxyv_start_layer on */
            int n_mlp = cfg.text.num_hidden_layers - cfg.proxyv.start_layer;
            char n[128];
            snprintf(n, sizeof n, "model.vision_mlp_layers.%d.layernorm_post.weight", n_mlp - 1);
            TEST_CHECK_INT(vkvlm_checkpoint_get_shaped(&ck, n, VKVLM_SHAPE(d), NULL, &err), VKVLM_OK);
            snprintf(n, sizeof n, "model.vision_mlp_layers.%d.layernorm_post.weight", n_mlp);
            TEST_CHECK(vkvlm_checkpoint_find(&ck, n) == NULL);
            TEST_CHECK_INT(cfg.proxyv.per_crop_token_len, cfg.vision.patches_per_side * cfg.vision.patches_per_side);
            /* the tower's own folder holds the same encoder under vision_model.* */
            vkvlm_checkpoint tower = {0};
            char tdir[1100];
            snprintf(tdir, sizeof tdir, "%s/%s/clip-vit-tiny-patch14-112", g, golden_cases[i]);
            TEST_CHECK_INT(vkvlm_checkpoint_open(&tower, tdir, &err), VKVLM_OK);
            check_vision_shapes(&tower, "vision_model.", &cfg.vision, 1, 0);
            vkvlm_checkpoint_close(&tower);
        }
        TEST_CHECK_MSG(err.status == VKVLM_OK, "%s: %s", golden_cases[i], err.message);
        vkvlm_checkpoint_close(&ck);
    }
}

/* ---------------------------------------------------------------- defaults */

static void test_llava_defaults(void) {
    vkvlm_config cfg;
    vkvlm_error err = {0};
    /* an empty text_config / vision_config dict: the plain class defaults */
    TEST_CHECK_INT(parse_str(&cfg, "{\"model_type\":\"llava\",\"text_config\":{},\"vision_config\":{}}", &err),
                   VKVLM_OK);
    TEST_CHECK_STR(err.message, "");
    TEST_CHECK_INT(cfg.family, VKVLM_CONFIG_LLAVA);
    const vkvlm_config_text *t = &cfg.text;
    TEST_CHECK_STR(t->model_type, "llama");
    TEST_CHECK_INT(t->vocab_size, 32000);
    TEST_CHECK_INT(t->hidden_size, 4096);
    TEST_CHECK_INT(t->intermediate_size, 11008);
    TEST_CHECK_INT(t->num_hidden_layers, 32);
    TEST_CHECK_INT(t->num_attention_heads, 32);
    TEST_CHECK_INT(t->num_key_value_heads, 32);
    TEST_CHECK_INT(t->head_dim, 128);
    TEST_CHECK_INT(t->max_position_embeddings, 2048);
    TEST_CHECK_INT(t->hidden_act, VKVLM_CONFIG_ACT_SILU);
    TEST_CHECK(t->rms_norm_eps == 1e-6);
    TEST_CHECK(t->rope_theta == 10000.0);
    TEST_CHECK(!t->tie_word_embeddings && !t->attention_bias && !t->mlp_bias);
    TEST_CHECK_INT(t->bos_token_id, 1);
    TEST_CHECK_INT(t->n_eos_token_ids, 1);
    TEST_CHECK_INT(t->eos_token_ids[0], 2);
    TEST_CHECK_INT(t->pad_token_id, -1);
    const vkvlm_config_vision *v = &cfg.vision;
    TEST_CHECK_STR(v->model_type, "clip_vision_model");
    TEST_CHECK_INT(v->hidden_size, 768);
    TEST_CHECK_INT(v->intermediate_size, 3072);
    TEST_CHECK_INT(v->num_hidden_layers, 12);
    TEST_CHECK_INT(v->num_attention_heads, 12);
    TEST_CHECK_INT(v->image_size, 224);
    TEST_CHECK_INT(v->patch_size, 32);
    TEST_CHECK_INT(v->projection_dim, 512);
    TEST_CHECK_INT(v->num_channels, 3);
    TEST_CHECK_INT(v->hidden_act, VKVLM_CONFIG_ACT_QUICK_GELU);
    TEST_CHECK(v->layer_norm_eps == 1e-5);
    TEST_CHECK_INT(v->patches_per_side, 7);
    TEST_CHECK_INT(cfg.image_token_id, 32000);
    TEST_CHECK_INT(cfg.llava.projector_hidden_act, VKVLM_CONFIG_ACT_GELU);
    TEST_CHECK_INT(cfg.llava.vision_feature_layer, -2);
    TEST_CHECK_INT(cfg.llava.vision_feature_select, VKVLM_CONFIG_SELECT_DEFAULT);
    TEST_CHECK_INT(cfg.llava.image_seq_length, 576);
    TEST_CHECK(cfg.llava.multimodal_projector_bias);
    TEST_CHECK(cfg.tie_word_embeddings);
    TEST_CHECK_INT(cfg.pad_token_id, -1);
    TEST_CHECK(!cfg.generation.present);

    /* no vision_config at all: LlavaConfig builds LLaVA-1.5's CLIP ViT-L/14-336 */
    TEST_CHECK_INT(parse_str(&cfg, "{\"model_type\":\"llava\"}", &err), VKVLM_OK);
    TEST_CHECK_INT(cfg.vision.hidden_size, 1024);
    TEST_CHECK_INT(cfg.vision.intermediate_size, 4096);
    TEST_CHECK_INT(cfg.vision.num_hidden_layers, 24);
    TEST_CHECK_INT(cfg.vision.num_attention_heads, 16);
    TEST_CHECK_INT(cfg.vision.image_size, 336);
    TEST_CHECK_INT(cfg.vision.patch_size, 14);
    TEST_CHECK_INT(cfg.vision.projection_dim, 768);
    TEST_CHECK_INT(cfg.vision.patches_per_side, 24);
    TEST_CHECK_INT(cfg.text.hidden_size, 4096);

    /* llava-1.5-7b-hf's config.json as on the Hub (sparse) */
    const char *hub = "{\"architectures\":[\"LlavaForConditionalGeneration\"],\"ignore_index\":-100,"
                      "\"image_token_index\":32000,\"model_type\":\"llava\",\"pad_token_id\":32001,"
                      "\"projector_hidden_act\":\"gelu\",\"text_config\":{\"architectures\":[\"LlamaForCausalLM\"],"
                      "\"max_position_embeddings\":4096,\"model_type\":\"llama\",\"rms_norm_eps\":1e-05,"
                      "\"torch_dtype\":\"float16\",\"vocab_size\":32064},\"tie_word_embeddings\":false,"
                      "\"torch_dtype\":\"float16\",\"transformers_version\":\"4.36.0.dev0\",\"vision_config\":{"
                      "\"hidden_size\":1024,\"image_size\":336,\"intermediate_size\":4096,\"model_type\":"
                      "\"clip_vision_model\",\"num_attention_heads\":16,\"num_hidden_layers\":24,\"patch_size\":14,"
                      "\"projection_dim\":768,\"vocab_size\":32000},\"vision_feature_layer\":-2,"
                      "\"vision_feature_select_strategy\":\"default\",\"vocab_size\":32064}";
    TEST_CHECK_INT(parse_str(&cfg, hub, &err), VKVLM_OK);
    TEST_CHECK_INT(cfg.text.vocab_size, 32064);
    TEST_CHECK_INT(cfg.text.num_key_value_heads, 32);
    TEST_CHECK(cfg.text.rms_norm_eps == 1e-5);
    TEST_CHECK_INT(cfg.pad_token_id, 32001);
    TEST_CHECK_INT(cfg.vision.patches_per_side, 24);
    TEST_CHECK_INT(cfg.vision.hidden_act, VKVLM_CONFIG_ACT_QUICK_GELU);

    /* a SigLIP tower (llava-interleave style) with its own defaults */
    TEST_CHECK_INT(parse_str(&cfg,
                             "{\"model_type\":\"llava\",\"vision_config\":{\"model_type\":\"siglip_vision_model\","
                             "\"image_size\":384,\"patch_size\":14,\"hidden_size\":1152,\"num_attention_heads\":16}}",
                             &err),
                   VKVLM_OK);
    TEST_CHECK_INT(cfg.vision.patches_per_side, 27); /* 384/14 rounds down, as the conv does */
    TEST_CHECK_INT(cfg.vision.hidden_act, VKVLM_CONFIG_ACT_GELU_TANH);
    TEST_CHECK(cfg.vision.layer_norm_eps == 1e-6);
    TEST_CHECK_INT(cfg.vision.projection_dim, 0);
    TEST_CHECK_MSG(err.status == VKVLM_OK, "%s", err.message);
}

#define IDEFICS3_HEAD "{\"model_type\":\"idefics3\",\"vision_config\":{\"image_size\":256},"

static void test_idefics3_defaults(void) {
    vkvlm_config cfg;
    vkvlm_error err = {0};
    /* no text_config: LlamaConfig(rms_norm_eps=1e-5, pad=<top pad>, tie=False). The class defaults alone are
     * unusable (224/32 = 7 patches per side, which scale_factor 2 does not divide), so image_size is given. */
    TEST_CHECK_INT(parse_str(&cfg, "{\"model_type\":\"idefics3\"}", &err), VKVLM_ERR_FORMAT);
    TEST_CHECK(strstr(err.message, "scale_factor 2 does not divide the 7 patches per side") != NULL);
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(parse_str(&cfg, IDEFICS3_HEAD "\"pad_token_id\":7}", &err), VKVLM_OK);
    TEST_CHECK_INT(cfg.text.pad_token_id, 7);
    TEST_CHECK_INT(cfg.pad_token_id, 7);
    TEST_CHECK_INT(parse_str(&cfg, IDEFICS3_HEAD "\"x\":0}", &err), VKVLM_OK);
    TEST_CHECK_STR(err.message, "");
    TEST_CHECK_INT(cfg.image_token_id, 128257);
    TEST_CHECK_INT(cfg.family, VKVLM_CONFIG_IDEFICS3);
    TEST_CHECK(cfg.text.rms_norm_eps == 1e-5);
    TEST_CHECK_INT(cfg.text.pad_token_id, 128002);
    TEST_CHECK_INT(cfg.pad_token_id, 128002);
    TEST_CHECK(!cfg.text.tie_word_embeddings);
    TEST_CHECK(!cfg.tie_word_embeddings);
    TEST_CHECK_INT(cfg.idefics3.scale_factor, 2);
    const vkvlm_config_vision *v = &cfg.vision;
    TEST_CHECK_STR(v->model_type, "idefics3_vision");
    TEST_CHECK_INT(v->hidden_size, 1152);
    TEST_CHECK_INT(v->intermediate_size, 3072);
    TEST_CHECK_INT(v->num_hidden_layers, 12);
    TEST_CHECK_INT(v->num_attention_heads, 16);
    TEST_CHECK_INT(v->num_channels, 3);
    TEST_CHECK_INT(v->image_size, 256); /* given */
    TEST_CHECK_INT(v->patch_size, 32);
    TEST_CHECK_INT(v->hidden_act, VKVLM_CONFIG_ACT_GELU_TANH);
    TEST_CHECK(v->layer_norm_eps == 1e-6);
    /* a text_config dict gets plain LlamaConfig defaults (eps 1e-6), not the None-case overrides */
    TEST_CHECK_INT(parse_str(&cfg, IDEFICS3_HEAD "\"text_config\":{}}", &err), VKVLM_OK);
    TEST_CHECK(cfg.text.rms_norm_eps == 1e-6);
    TEST_CHECK_INT(cfg.text.pad_token_id, -1);
    /* explicit head_dim and an eos list (Llama 3 style) */
    TEST_CHECK_INT(parse_str(&cfg,
                             IDEFICS3_HEAD "\"text_config\":{\"hidden_size\":"
                                           "64,\"num_attention_heads\":4,\"head_dim\":32,\"eos_token_id\":[3,4],"
                                           "\"bos_token_id\":null,\"num_key_value_heads\":null}}",
                             &err),
                   VKVLM_OK);
    TEST_CHECK_INT(cfg.text.head_dim, 32);
    TEST_CHECK_INT(cfg.text.num_key_value_heads, 4);
    TEST_CHECK_INT(cfg.text.n_eos_token_ids, 2);
    TEST_CHECK_INT(cfg.text.eos_token_ids[1], 4);
    TEST_CHECK_INT(cfg.text.bos_token_id, -1);
    TEST_CHECK_MSG(err.status == VKVLM_OK, "%s", err.message);
}

static void test_llava_llama_without_tower(void) {
    vkvlm_config cfg;
    vkvlm_error err = {0};
    const char *json = "{\"model_type\":\"llava_llama\",\"hidden_size\":64,\"num_attention_heads\":4,"
                       "\"num_hidden_layers\":5,\"mm_vision_tower\":\"openai/clip-vit-large-patch14-336\","
                       "\"mm_hidden_size\":1024,\"mm_vision_select_layer\":-2,\"image_aspect_ratio\":null}";
    TEST_CHECK_INT(parse_str(&cfg, json, &err), VKVLM_OK);
    TEST_CHECK_STR(err.message, "");
    TEST_CHECK_INT(cfg.family, VKVLM_CONFIG_LLAVA_LLAMA);
    TEST_CHECK_STR(cfg.llava_llama.mm_projector_type, "linear");
    TEST_CHECK_INT(cfg.llava_llama.mm_projector_depth, 1);
    TEST_CHECK_INT(cfg.llava_llama.mm_vision_select_feature, VKVLM_CONFIG_SELECT_DEFAULT);
    TEST_CHECK_STR(cfg.llava_llama.image_aspect_ratio, "");
    TEST_CHECK(!cfg.proxyv.enabled);
    TEST_CHECK_INT(cfg.proxyv.max_num_image_crops, 1);
    TEST_CHECK_STR(cfg.vision.model_type, ""); /* parse never resolves the tower */
    TEST_CHECK_INT(cfg.text.num_key_value_heads, 4);
}

static void test_generation_config(void) {
    vkvlm_generation_config gen;
    vkvlm_error err = {0};
    const char *j = "{\"bos_token_id\":1,\"eos_token_id\":[2,32007],\"pad_token_id\":null}";
    TEST_CHECK_INT(vkvlm_generation_config_parse(&gen, j, strlen(j), "g.json", &err), VKVLM_OK);
    TEST_CHECK(gen.present);
    TEST_CHECK_INT(gen.bos_token_id, 1);
    TEST_CHECK_INT(gen.n_eos_token_ids, 2);
    TEST_CHECK_INT(gen.eos_token_ids[1], 32007);
    TEST_CHECK_INT(gen.pad_token_id, -1);
    j = "{}";
    TEST_CHECK_INT(vkvlm_generation_config_parse(&gen, j, strlen(j), "g.json", &err), VKVLM_OK);
    TEST_CHECK_INT(gen.n_eos_token_ids, 0);
    j = "{\"eos_token_id\":\"2\"}";
    TEST_CHECK_INT(vkvlm_generation_config_parse(&gen, j, strlen(j), "g.json", &err), VKVLM_ERR_FORMAT);
    TEST_CHECK_STR(err.message,
                   "g.json: eos_token_id must be a non-negative integer, a list or null, got string \"2\"");
    TEST_CHECK(!gen.present);
    vkvlm_error_clear(&err);
    j = "{\"eos_token_id\":[1,2,3,4,5,6,7,8,9]}";
    TEST_CHECK_INT(vkvlm_generation_config_parse(&gen, j, strlen(j), "g.json", &err), VKVLM_ERR_LIMIT);
    TEST_CHECK(strstr(err.message, "g.json: eos_token_id lists more than 8 ids") != NULL);
}

/* ---------------------------------------------------------------- bad configs */

/* Parses json, expects status and exactly the message "m/config.json: <msg>". */
static void expect_bad(const char *json, vkvlm_status status, const char *msg) {
    vkvlm_config cfg;
    vkvlm_error err = {0};
    TEST_CHECK_INT(parse_str(&cfg, json, &err), status);
    char want[VKVLM_ERROR_MESSAGE_MAX];
    snprintf(want, sizeof want, "m/config.json: %s", msg);
    TEST_CHECK_STR(err.message, want);
}

#define LLAVA_HEAD "{\"model_type\":\"llava\","

static void test_bad_configs(void) {
    /* malformed JSON, with the position */
    expect_bad("{\n  \"model_type\": \"llava\",\n  \"text_config\": {\"hidden_size\": 64,}\n}", VKVLM_ERR_FORMAT,
               "not valid JSON (line 3, column 38)");
    expect_bad("", VKVLM_ERR_FORMAT, "not valid JSON (line 1, column 1)");
    expect_bad("{\"model_type\":\"llava\"} {}", VKVLM_ERR_FORMAT, "not valid JSON (line 1, column 24)");
    expect_bad("[1,2]", VKVLM_ERR_FORMAT, "top level is not a JSON object");
    /* model_type */
    expect_bad("{}", VKVLM_ERR_FORMAT, "missing model_type");
    expect_bad("{\"model_type\":7}", VKVLM_ERR_FORMAT, "model_type must be a string, got 7");
    expect_bad("{\"model_type\":\"qwen2_vl\"}", VKVLM_ERR_UNSUPPORTED,
               "model_type 'qwen2_vl' is not supported (supported: llava, idefics3, llava_llama)");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"model_type\":\"mistral\"}}", VKVLM_ERR_UNSUPPORTED,
               "text_config.model_type 'mistral' is not supported (supported: llama)");
    expect_bad(
        LLAVA_HEAD "\"vision_config\":{\"model_type\":\"resnet\"}}", VKVLM_ERR_UNSUPPORTED,
        "vision_config.model_type 'resnet' is not supported (supported: clip_vision_model, siglip_vision_model)");
    /* wrong types */
    expect_bad(LLAVA_HEAD "\"text_config\":7}", VKVLM_ERR_FORMAT, "text_config must be an object, got 7");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"hidden_size\":\"64\"}}", VKVLM_ERR_FORMAT,
               "text_config.hidden_size must be an integer, got string \"64\"");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"num_hidden_layers\":4.5}}", VKVLM_ERR_FORMAT,
               "text_config.num_hidden_layers must be an integer, got 4.5");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"hidden_size\":null}}", VKVLM_ERR_FORMAT,
               "text_config.hidden_size must be an integer, got null");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"rms_norm_eps\":\"1e-5\"}}", VKVLM_ERR_FORMAT,
               "text_config.rms_norm_eps must be a finite number, got string \"1e-5\"");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"rope_theta\":1e999}}", VKVLM_ERR_FORMAT,
               "text_config.rope_theta must be a finite number, got inf");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"tie_word_embeddings\":0}}", VKVLM_ERR_FORMAT,
               "text_config.tie_word_embeddings must be true or false, got 0");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"bos_token_id\":-1}}", VKVLM_ERR_FORMAT,
               "text_config.bos_token_id must be a non-negative integer or null, got -1");
    expect_bad(LLAVA_HEAD "\"vision_config\":{\"image_size\":[336]}}", VKVLM_ERR_FORMAT,
               "vision_config.image_size must be an integer, got an array");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"hidden_size\":64,\"hidden_size\":128}}", VKVLM_ERR_FORMAT,
               "text_config.hidden_size appears twice");
    /* unsupported values */
    expect_bad(LLAVA_HEAD "\"text_config\":{\"hidden_act\":\"mish\"}}", VKVLM_ERR_UNSUPPORTED,
               "text_config.hidden_act 'mish' is not supported (supported: silu, swish, gelu, gelu_pytorch_tanh, "
               "gelu_new, gelu_fast, quick_gelu, relu)");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0}}}",
               VKVLM_ERR_UNSUPPORTED, "text_config.rope_scaling (llama3) is not supported yet");
    expect_bad(LLAVA_HEAD "\"vision_feature_layer\":[-2,-5]}", VKVLM_ERR_UNSUPPORTED,
               "vision_feature_layer as a list (concatenated layers) is not supported yet");
    /* nonsense values */
    expect_bad(LLAVA_HEAD "\"text_config\":{\"num_hidden_layers\":0}}", VKVLM_ERR_FORMAT,
               "text_config.num_hidden_layers must be > 0, got 0");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"hidden_size\":64,\"num_attention_heads\":5,\"num_key_value_heads\":5}}",
               VKVLM_ERR_FORMAT,
               "text_config.num_attention_heads 5 does not divide hidden_size 64 (and no head_dim given)");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"num_attention_heads\":32,\"num_key_value_heads\":5}}", VKVLM_ERR_FORMAT,
               "text_config.num_key_value_heads 5 does not divide num_attention_heads 32");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"num_key_value_heads\":0}}", VKVLM_ERR_FORMAT,
               "text_config.num_key_value_heads must be > 0, got 0");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"head_dim\":15}}", VKVLM_ERR_FORMAT,
               "text_config.head_dim 15 is odd; rotary embeddings need pairs");
    expect_bad(LLAVA_HEAD "\"text_config\":{\"rms_norm_eps\":0}}", VKVLM_ERR_FORMAT,
               "text_config.rms_norm_eps must be > 0, got 0");
    expect_bad(LLAVA_HEAD "\"vision_config\":{\"hidden_size\":100,\"num_attention_heads\":16}}", VKVLM_ERR_FORMAT,
               "vision_config.num_attention_heads 16 does not divide hidden_size 100");
    expect_bad(LLAVA_HEAD "\"vision_config\":{\"num_hidden_layers\":0}}", VKVLM_ERR_FORMAT,
               "vision_config.num_hidden_layers must be > 0, got 0");
    expect_bad(LLAVA_HEAD "\"vision_config\":{\"image_size\":10,\"patch_size\":14}}", VKVLM_ERR_FORMAT,
               "vision_config.image_size 10 is smaller than patch_size 14");
    expect_bad(LLAVA_HEAD "\"image_token_index\":-200}", VKVLM_ERR_FORMAT, "image_token_index must be >= 0, got -200");
    expect_bad(LLAVA_HEAD "\"vision_feature_layer\":-26}", VKVLM_ERR_FORMAT,
               "vision_feature_layer -26 is outside [-25, 24] for 24 vision layers");
    expect_bad(LLAVA_HEAD "\"vision_feature_select_strategy\":\"cls\"}", VKVLM_ERR_FORMAT,
               "vision_feature_select_strategy 'cls' is not 'default' or 'full'");
    expect_bad(
        "{\"model_type\":\"idefics3\",\"image_token_id\":5,\"scale_factor\":3,\"vision_config\":{\"image_size\":64,"
        "\"patch_size\":8}}",
        VKVLM_ERR_FORMAT,
        "scale_factor 3 does not divide the 8 patches per side (vision_config.image_size 64 / patch_size 8)");
    expect_bad(IDEFICS3_HEAD "\"scale_factor\":0}", VKVLM_ERR_FORMAT, "scale_factor must be > 0, got 0");
    /* llava_llama: required keys and ProxyV */
    const char *ll = "{\"model_type\":\"llava_llama\",\"hidden_size\":64,\"num_attention_heads\":4,"
                     "\"num_hidden_layers\":5,\"mm_vision_tower\":\"t\",\"mm_vision_select_layer\":-2,";
    char buf[1024];
    expect_bad("{\"model_type\":\"llava_llama\",\"mm_hidden_size\":32,\"mm_vision_select_layer\":-2}", VKVLM_ERR_FORMAT,
               "missing mm_vision_tower");
    snprintf(buf, sizeof buf, "%s\"x\":0}", ll);
    expect_bad(buf, VKVLM_ERR_FORMAT, "missing mm_hidden_size");
    snprintf(buf, sizeof buf, "%s\"mm_hidden_size\":32,\"mm_projector_type\":\"qformer\"}", ll);
    expect_bad(buf, VKVLM_ERR_UNSUPPORTED,
               "mm_projector_type 'qformer' is not supported (supported: linear, mlp<N>x_gelu, identity)");
    snprintf(buf, sizeof buf, "%s\"mm_hidden_size\":32,\"proxyv\":true,\"proxyv_start_layer\":2}", ll);
    expect_bad(buf, VKVLM_ERR_FORMAT, "missing proxyv_reduce_factor");
    snprintf(buf, sizeof buf,
             "%s\"mm_hidden_size\":32,\"proxyv\":true,\"proxyv_start_layer\":5,\"proxyv_reduce_factor\":4,"
             "\"per_crop_token_len\":64}",
             ll);
    expect_bad(buf, VKVLM_ERR_FORMAT, "proxyv_start_layer 5 is outside [0, 5)");
    snprintf(buf, sizeof buf,
             "%s\"mm_hidden_size\":32,\"proxyv\":true,\"proxyv_start_layer\":2,\"proxyv_reduce_factor\":3,"
             "\"per_crop_token_len\":64}",
             ll);
    expect_bad(buf, VKVLM_ERR_FORMAT, "proxyv_reduce_factor 3 does not divide the 8x8 crop grid");
    snprintf(buf, sizeof buf,
             "%s\"mm_hidden_size\":32,\"proxyv\":true,\"proxyv_start_layer\":2,\"proxyv_reduce_factor\":4,"
             "\"per_crop_token_len\":60}",
             ll);
    expect_bad(buf, VKVLM_ERR_FORMAT, "per_crop_token_len 60 is not a square grid");
    /* a string too long for its field */
    char long_json[1024];
    char tower[600];
    memset(tower, 'a', sizeof tower - 1);
    tower[sizeof tower - 1] = 0;
    snprintf(long_json, sizeof long_json,
             "{\"model_type\":\"llava_llama\",\"mm_vision_tower\":\"%s\",\"mm_hidden_size\":32,"
             "\"mm_vision_select_layer\":-2}",
             tower);
    expect_bad(long_json, VKVLM_ERR_LIMIT, "mm_vision_tower is 599 characters, at most 511 are supported");
    /* not NUL-terminated input: the parser must stop at len */
    const char *full = "{\"model_type\":\"llava\"}garbage";
    vkvlm_config cfg;
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_config_parse(&cfg, full, 22, "m/config.json", &err), VKVLM_OK);
}

/* ---------------------------------------------------------------- files on disk */

static char tmp_root[64];

static void write_file(const char *dir, const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(text, 1, strlen(text), f);
        fclose(f);
    }
}

static void remove_file(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

static void test_config_files(void) {
    strcpy(tmp_root, "/tmp/vkvlm_cfg_XXXXXX");
    if (!mkdtemp(tmp_root)) {
        TEST_CHECK_MSG(0, "mkdtemp failed");
        return;
    }
    vkvlm_config cfg;
    vkvlm_error err = {0};
    char want[512];
    /* no config.json */
    TEST_CHECK_INT(vkvlm_config_load(&cfg, tmp_root, &err), VKVLM_ERR_IO);
    snprintf(want, sizeof want, "%s/config.json: cannot open: No such file or directory", tmp_root);
    TEST_CHECK_STR(err.message, want);
    /* empty config.json */
    vkvlm_error_clear(&err);
    write_file(tmp_root, "config.json", "");
    TEST_CHECK_INT(vkvlm_config_load(&cfg, tmp_root, &err), VKVLM_ERR_FORMAT);
    snprintf(want, sizeof want, "%s/config.json: not valid JSON (line 1, column 1)", tmp_root);
    TEST_CHECK_STR(err.message, want);
    /* a bad generation_config.json is reported under its own name */
    vkvlm_error_clear(&err);
    write_file(tmp_root, "config.json", "{\"model_type\":\"llava\"}");
    write_file(tmp_root, "generation_config.json", "{\"eos_token_id\":true}");
    TEST_CHECK_INT(vkvlm_config_load(&cfg, tmp_root, &err), VKVLM_ERR_FORMAT);
    snprintf(want, sizeof want,
             "%s/generation_config.json: eos_token_id must be a non-negative integer, a list or null, got true",
             tmp_root);
    TEST_CHECK_STR(err.message, want);
    /* a good pair */
    vkvlm_error_clear(&err);
    write_file(tmp_root, "generation_config.json", "{\"eos_token_id\":2}");
    TEST_CHECK_INT(vkvlm_config_load(&cfg, tmp_root, &err), VKVLM_OK);
    TEST_CHECK(cfg.generation.present);
    TEST_CHECK_INT(cfg.generation.eos_token_ids[0], 2);
    /* llava_llama whose tower folder holds a full CLIPModel config (as openai/clip-vit-large-patch14-336) */
    write_file(tmp_root, "config.json",
               "{\"model_type\":\"llava_llama\",\"hidden_size\":64,\"num_attention_heads\":4,\"num_hidden_layers\":2,"
               "\"mm_vision_tower\":\"tower\",\"mm_hidden_size\":1024,\"mm_vision_select_layer\":-2}");
    char tower[256];
    snprintf(tower, sizeof tower, "%s/tower", tmp_root);
    mkdir(tower, 0700);
    write_file(tower, "config.json",
               "{\"model_type\":\"clip\",\"projection_dim\":768,\"text_config\":{},\"vision_config\":{"
               "\"hidden_size\":1024,\"intermediate_size\":4096,\"num_hidden_layers\":24,\"num_attention_heads\":16,"
               "\"image_size\":336,\"patch_size\":14,\"projection_dim\":768}}");
    TEST_CHECK_INT(vkvlm_config_load(&cfg, tmp_root, &err), VKVLM_OK);
    TEST_CHECK_MSG(err.status == VKVLM_OK, "%s", err.message);
    TEST_CHECK_STR(cfg.vision.model_type, "clip_vision_model");
    TEST_CHECK_INT(cfg.vision.patches_per_side, 24);
    TEST_CHECK(strstr(cfg.llava_llama.vision_config_path, "/tower/config.json") != NULL);
    /* mm_hidden_size must match the tower */
    write_file(tmp_root, "config.json",
               "{\"model_type\":\"llava_llama\",\"hidden_size\":64,\"num_attention_heads\":4,\"num_hidden_layers\":2,"
               "\"mm_vision_tower\":\"tower\",\"mm_hidden_size\":32,\"mm_vision_select_layer\":-2}");
    TEST_CHECK_INT(vkvlm_config_load(&cfg, tmp_root, &err), VKVLM_ERR_FORMAT);
    TEST_CHECK(strstr(err.message, "mm_hidden_size 32 differs from the tower's hidden_size 1024") != NULL);
    /* a broken tower config names the tower's file */
    vkvlm_error_clear(&err);
    write_file(tower, "config.json", "{\"model_type\":\"clip_vision_model\",\"hidden_size\":\"wide\"}");
    TEST_CHECK_INT(vkvlm_config_load(&cfg, tmp_root, &err), VKVLM_ERR_FORMAT);
    snprintf(want, sizeof want, "%s/tower/config.json: hidden_size must be an integer, got string \"wide\"", tmp_root);
    TEST_CHECK_STR(err.message, want);

    remove_file(tower, "config.json");
    rmdir(tower);
    remove_file(tmp_root, "config.json");
    remove_file(tmp_root, "generation_config.json");
    rmdir(tmp_root);
}

int main(void) {
    TEST_RUN(test_golden_vs_effective);
    TEST_RUN(test_golden_shapes_match_config);
    TEST_RUN(test_llava_defaults);
    TEST_RUN(test_idefics3_defaults);
    TEST_RUN(test_llava_llama_without_tower);
    TEST_RUN(test_generation_config);
    TEST_RUN(test_bad_configs);
    TEST_RUN(test_config_files);
    return test_finish();
}
