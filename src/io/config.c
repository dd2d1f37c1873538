/* config.c — config.json / generation_config.json parsing with transformers' class defaults (see config.h).
 *
 * Sections: names | JSON field readers | text models (>>text) | vision towers (>>vision) | families (>>family)
 * | generation_config | entry points. Each parse function starts from the class defaults, overwrites what the
 * file says, derives what transformers derives, then validates. Nothing here prints.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/config.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/file_map.h"
#include "core/status.h"

/* ---------------------------------------------------------------- names */

static const char *const family_names[VKVLM_CONFIG_FAMILY_COUNT] = {
    [VKVLM_CONFIG_FAMILY_UNSET] = "unset",
    [VKVLM_CONFIG_LLAVA] = "llava",
    [VKVLM_CONFIG_IDEFICS3] = "idefics3",
    [VKVLM_CONFIG_LLAVA_LLAMA] = "llava_llama",
};

const char *vkvlm_config_family_name(vkvlm_config_family family) {
    if ((int)family < 0 || family >= VKVLM_CONFIG_FAMILY_COUNT) return "unset";
    return family_names[family];
}

/* ACT2FN spellings; the first row of each activation is its canonical name. */
static const struct {
    const char *name;
    vkvlm_config_act act;
} act_table[] = {
    {"silu", VKVLM_CONFIG_ACT_SILU},
    {"swish", VKVLM_CONFIG_ACT_SILU},
    {"gelu", VKVLM_CONFIG_ACT_GELU},
    {"gelu_pytorch_tanh", VKVLM_CONFIG_ACT_GELU_TANH},
    {"gelu_new", VKVLM_CONFIG_ACT_GELU_TANH},
    {"gelu_fast", VKVLM_CONFIG_ACT_GELU_TANH},
    {"quick_gelu", VKVLM_CONFIG_ACT_QUICK_GELU},
    {"relu", VKVLM_CONFIG_ACT_RELU},
};
#define ACT_COUNT (sizeof act_table / sizeof act_table[0])

const char *vkvlm_config_act_name(vkvlm_config_act act) {
    for (size_t i = 0; i < ACT_COUNT; i++)
        if (act_table[i].act == act && act != VKVLM_CONFIG_ACT_UNSET) return act_table[i].name;
    return "unset";
}

/* ---------------------------------------------------------------- JSON field readers */

/* Where a field lives, for messages: "<label>: <prefix><key> ...". */
typedef struct cfg_ctx {
    const char *label;  /* the file, e.g. ".../config.json" */
    const char *prefix; /* key path of the object being read: "", "text_config.", "vision_config." */
    vkvlm_error *err;   /* where failures go */
} cfg_ctx;

enum {
    FIELD_OPTIONAL = 0,       /* absent: keep the default; null: a type error */
    FIELD_REQUIRED = 1u << 0, /* absent: VKVLM_ERR_FORMAT "missing" */
    FIELD_NULLABLE = 1u << 1, /* null: same as absent (transformers treats None as "use the default") */
};

/* What a JSON value is, for "must be X, got Y" messages. */
static void describe(const cJSON *v, char *buf, size_t cap) {
    if (cJSON_IsString(v))
        snprintf(buf, cap, "string \"%.40s\"", v->valuestring);
    else if (cJSON_IsNumber(v))
        snprintf(buf, cap, "%.17g", v->valuedouble);
    else if (cJSON_IsTrue(v))
        snprintf(buf, cap, "true");
    else if (cJSON_IsFalse(v))
        snprintf(buf, cap, "false");
    else if (cJSON_IsNull(v))
        snprintf(buf, cap, "null");
    else if (cJSON_IsArray(v))
        snprintf(buf, cap, "an array");
    else
        snprintf(buf, cap, "an object");
}

/* The member `key` of obj (NULL when absent, or when null and nullable). JSON allows duplicate keys; Python
 * keeps the last and cJSON finds the first, so a duplicate is an error rather than a silent disagreement. */
static vkvlm_status member(const cfg_ctx *c, const cJSON *obj, const char *key, unsigned flags, const cJSON **out) {
    *out = NULL;
    if (!obj) {
        if (flags & FIELD_REQUIRED)
            return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: missing %s%s", c->label, c->prefix, key);
        return VKVLM_OK;
    }
    const cJSON *found = NULL;
    for (const cJSON *e = obj->child; e; e = e->next) {
        if (!e->string || strcmp(e->string, key) != 0) continue;
        if (found) return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s%s appears twice", c->label, c->prefix, key);
        found = e;
    }
    if (found && cJSON_IsNull(found) && (flags & FIELD_NULLABLE)) found = NULL;
    if (!found && (flags & FIELD_REQUIRED))
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: missing %s%s", c->label, c->prefix, key);
    *out = found;
    return VKVLM_OK;
}

static vkvlm_status type_error(const cfg_ctx *c, const char *key, const char *want, const cJSON *v) {
    char got[96];
    describe(v, got, sizeof got);
    return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s%s must be %s, got %s", c->label, c->prefix, key, want,
                           got);
}

static int json_is_int(const cJSON *v, int *out) {
    if (!cJSON_IsNumber(v)) return 0;
    double d = v->valuedouble;
    if (!(d >= (double)INT_MIN && d <= (double)INT_MAX) || d != floor(d)) return 0;
    *out = (int)d;
    return 1;
}

static vkvlm_status read_int(const cfg_ctx *c, const cJSON *obj, const char *key, unsigned flags, int *out) {
    const cJSON *v;
    vkvlm_status s = member(c, obj, key, flags, &v);
    if (s != VKVLM_OK || !v) return s;
    if (!json_is_int(v, out)) return type_error(c, key, "an integer", v);
    return VKVLM_OK;
}

static vkvlm_status read_double(const cfg_ctx *c, const cJSON *obj, const char *key, unsigned flags, double *out) {
    const cJSON *v;
    vkvlm_status s = member(c, obj, key, flags, &v);
    if (s != VKVLM_OK || !v) return s;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) return type_error(c, key, "a finite number", v);
    *out = v->valuedouble;
    return VKVLM_OK;
}

static vkvlm_status read_bool(const cfg_ctx *c, const cJSON *obj, const char *key, unsigned flags, bool *out) {
    const cJSON *v;
    vkvlm_status s = member(c, obj, key, flags, &v);
    if (s != VKVLM_OK || !v) return s;
    if (!cJSON_IsBool(v)) return type_error(c, key, "true or false", v);
    *out = cJSON_IsTrue(v);
    return VKVLM_OK;
}

/* Null (when nullable) clears the string: LLaVA's optional strings use None for "off". */
static vkvlm_status read_string(const cfg_ctx *c, const cJSON *obj, const char *key, unsigned flags, char *out,
                                size_t cap) {
    const cJSON *v;
    vkvlm_status s = member(c, obj, key, flags & ~(unsigned)FIELD_NULLABLE, &v);
    if (s != VKVLM_OK || !v) return s;
    if (cJSON_IsNull(v) && (flags & FIELD_NULLABLE)) {
        out[0] = '\0';
        return VKVLM_OK;
    }
    if (!cJSON_IsString(v)) return type_error(c, key, "a string", v);
    size_t n = strlen(v->valuestring);
    if (n >= cap)
        return vkvlm_error_set(c->err, VKVLM_ERR_LIMIT, "%s: %s%s is %zu characters, at most %zu are supported",
                               c->label, c->prefix, key, n, cap - 1);
    memcpy(out, v->valuestring, n + 1);
    return VKVLM_OK;
}

static vkvlm_status read_act(const cfg_ctx *c, const cJSON *obj, const char *key, vkvlm_config_act *out) {
    char name[VKVLM_CONFIG_NAME_MAX];
    name[0] = '\0';
    vkvlm_status s = read_string(c, obj, key, FIELD_OPTIONAL, name, sizeof name);
    if (s != VKVLM_OK || !name[0]) return s;
    for (size_t i = 0; i < ACT_COUNT; i++)
        if (strcmp(act_table[i].name, name) == 0) {
            *out = act_table[i].act;
            return VKVLM_OK;
        }
    return vkvlm_error_set(c->err, VKVLM_ERR_UNSUPPORTED,
                           "%s: %s%s '%s' is not supported (supported: silu, swish, gelu, gelu_pytorch_tanh, gelu_new, "
                           "gelu_fast, quick_gelu, relu)",
                           c->label, c->prefix, key, name);
}

/* Token ids: absent keeps the default, null means "none" (-1). */
static vkvlm_status read_token_id(const cfg_ctx *c, const cJSON *obj, const char *key, int *out) {
    const cJSON *v;
    vkvlm_status s = member(c, obj, key, FIELD_OPTIONAL, &v);
    if (s != VKVLM_OK || !v) return s;
    if (cJSON_IsNull(v)) {
        *out = -1;
        return VKVLM_OK;
    }
    if (!json_is_int(v, out) || *out < 0) return type_error(c, key, "a non-negative integer or null", v);
    return VKVLM_OK;
}

/* eos_token_id: an int, a list of ints (Llama 3 style), or null. */
static vkvlm_status read_token_ids(const cfg_ctx *c, const cJSON *obj, const char *key, int *ids, int *n) {
    const cJSON *v;
    vkvlm_status s = member(c, obj, key, FIELD_OPTIONAL, &v);
    if (s != VKVLM_OK || !v) return s;
    if (cJSON_IsNull(v)) {
        *n = 0;
        return VKVLM_OK;
    }
    if (cJSON_IsNumber(v)) {
        if (!json_is_int(v, &ids[0]) || ids[0] < 0)
            return type_error(c, key, "a non-negative integer, a list or null", v);
        *n = 1;
        return VKVLM_OK;
    }
    if (!cJSON_IsArray(v)) return type_error(c, key, "a non-negative integer, a list or null", v);
    int count = 0;
    for (const cJSON *e = v->child; e; e = e->next) {
        if (count == VKVLM_CONFIG_MAX_EOS)
            return vkvlm_error_set(c->err, VKVLM_ERR_LIMIT, "%s: %s%s lists more than %d ids", c->label, c->prefix, key,
                                   VKVLM_CONFIG_MAX_EOS);
        if (!json_is_int(e, &ids[count]) || ids[count] < 0)
            return type_error(c, key, "a list of non-negative integers", e);
        count++;
    }
    *n = count;
    return VKVLM_OK;
}

static vkvlm_status check_positive(const cfg_ctx *c, const char *key, int value) {
    if (value > 0) return VKVLM_OK;
    return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s%s must be > 0, got %d", c->label, c->prefix, key, value);
}

static vkvlm_status check_positive_double(const cfg_ctx *c, const char *key, double value) {
    if (value > 0) return VKVLM_OK;
    return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s%s must be > 0, got %g", c->label, c->prefix, key, value);
}

/* A nested object such as text_config: absent or null gives *out NULL. */
static vkvlm_status read_object(const cfg_ctx *c, const cJSON *obj, const char *key, const cJSON **out) {
    vkvlm_status s = member(c, obj, key, FIELD_NULLABLE, out);
    if (s != VKVLM_OK || !*out) return s;
    if (!cJSON_IsObject(*out)) return type_error(c, key, "an object", *out);
    return VKVLM_OK;
}

/* Parses json[len] into a cJSON tree; malformed text reports line and column. */
static vkvlm_status parse_json(const char *json, size_t len, const char *label, vkvlm_error *err, cJSON **out) {
    *out = NULL;
    /* A NUL-terminated copy: some cJSON releases read a byte past an unterminated buffer. The terminator lies
     * inside the length passed, so require_null_terminated rejects trailing garbage. */
    char *text = malloc(len + 1);
    if (!text) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory for %zu bytes", label, len);
    if (len) memcpy(text, json, len);
    text[len] = '\0';
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (root && end != text + len) { /* stopped at an embedded NUL */
        cJSON_Delete(root);
        root = NULL;
    }
    if (!root) {
        size_t at = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
        int line = 1, col = 1;
        for (size_t i = 0; i < at; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        free(text);
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: not valid JSON (line %d, column %d)", label, line, col);
    }
    free(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: top level is not a JSON object", label);
    }
    *out = root;
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- text models (>>text) */

/* LlamaConfig's defaults. num_key_value_heads and head_dim are derived after reading when the file lacks them. */
static void llama_defaults(vkvlm_config_text *t) {
    memset(t, 0, sizeof *t);
    snprintf(t->model_type, sizeof t->model_type, "llama");
    t->vocab_size = 32000;
    t->hidden_size = 4096;
    t->intermediate_size = 11008;
    t->num_hidden_layers = 32;
    t->num_attention_heads = 32;
    t->max_position_embeddings = 2048;
    t->hidden_act = VKVLM_CONFIG_ACT_SILU;
    t->rms_norm_eps = 1e-6;
    t->rope_theta = 10000.0;
    t->bos_token_id = 1;
    t->eos_token_ids[0] = 2;
    t->n_eos_token_ids = 1;
    t->pad_token_id = -1;
}

/* Whether obj sets key to something other than null (read_* has already checked its type). */
static bool given(const cJSON *obj, const char *key) {
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return v && !cJSON_IsNull(v);
}

/* Reads LlamaConfig keys from obj (NULL: defaults only) over *t, derives, validates. */
static vkvlm_status parse_llama(const cfg_ctx *c, const cJSON *obj, vkvlm_config_text *t) {
    vkvlm_status s = VKVLM_OK;
    if (s == VKVLM_OK) s = read_int(c, obj, "vocab_size", FIELD_OPTIONAL, &t->vocab_size);
    if (s == VKVLM_OK) s = read_int(c, obj, "hidden_size", FIELD_OPTIONAL, &t->hidden_size);
    if (s == VKVLM_OK) s = read_int(c, obj, "intermediate_size", FIELD_OPTIONAL, &t->intermediate_size);
    if (s == VKVLM_OK) s = read_int(c, obj, "num_hidden_layers", FIELD_OPTIONAL, &t->num_hidden_layers);
    if (s == VKVLM_OK) s = read_int(c, obj, "num_attention_heads", FIELD_OPTIONAL, &t->num_attention_heads);
    if (s == VKVLM_OK) s = read_int(c, obj, "num_key_value_heads", FIELD_NULLABLE, &t->num_key_value_heads);
    if (s == VKVLM_OK) s = read_int(c, obj, "head_dim", FIELD_NULLABLE, &t->head_dim);
    if (s == VKVLM_OK) s = read_int(c, obj, "max_position_embeddings", FIELD_OPTIONAL, &t->max_position_embeddings);
    if (s == VKVLM_OK) s = read_act(c, obj, "hidden_act", &t->hidden_act);
    if (s == VKVLM_OK) s = read_double(c, obj, "rms_norm_eps", FIELD_OPTIONAL, &t->rms_norm_eps);
    if (s == VKVLM_OK) s = read_double(c, obj, "rope_theta", FIELD_OPTIONAL, &t->rope_theta);
    if (s == VKVLM_OK) s = read_bool(c, obj, "tie_word_embeddings", FIELD_OPTIONAL, &t->tie_word_embeddings);
    if (s == VKVLM_OK) s = read_bool(c, obj, "attention_bias", FIELD_OPTIONAL, &t->attention_bias);
    if (s == VKVLM_OK) s = read_bool(c, obj, "mlp_bias", FIELD_OPTIONAL, &t->mlp_bias);
    if (s == VKVLM_OK) s = read_token_id(c, obj, "bos_token_id", &t->bos_token_id);
    if (s == VKVLM_OK) s = read_token_ids(c, obj, "eos_token_id", t->eos_token_ids, &t->n_eos_token_ids);
    if (s == VKVLM_OK) s = read_token_id(c, obj, "pad_token_id", &t->pad_token_id);
    if (s != VKVLM_OK) return s;

    /* rope_scaling changes every position's angle; until a variant is implemented, refuse rather than run it
     * unscaled. {"rope_type": "default"} is the same as none. */
    const cJSON *rs;
    s = member(c, obj, "rope_scaling", FIELD_NULLABLE, &rs);
    if (s != VKVLM_OK) return s;
    if (rs) {
        const cJSON *type = cJSON_IsObject(rs) ? cJSON_GetObjectItemCaseSensitive(rs, "rope_type") : NULL;
        if (!type && cJSON_IsObject(rs)) type = cJSON_GetObjectItemCaseSensitive(rs, "type");
        if (!cJSON_IsString(type) || strcmp(type->valuestring, "default") != 0)
            return vkvlm_error_set(c->err, VKVLM_ERR_UNSUPPORTED, "%s: %srope_scaling (%s) is not supported yet",
                                   c->label, c->prefix, cJSON_IsString(type) ? type->valuestring : "no rope_type");
    }

    if (s == VKVLM_OK) s = check_positive(c, "vocab_size", t->vocab_size);
    if (s == VKVLM_OK) s = check_positive(c, "hidden_size", t->hidden_size);
    if (s == VKVLM_OK) s = check_positive(c, "intermediate_size", t->intermediate_size);
    if (s == VKVLM_OK) s = check_positive(c, "num_hidden_layers", t->num_hidden_layers);
    if (s == VKVLM_OK) s = check_positive(c, "num_attention_heads", t->num_attention_heads);
    if (s == VKVLM_OK) s = check_positive(c, "max_position_embeddings", t->max_position_embeddings);
    if (s == VKVLM_OK) s = check_positive_double(c, "rms_norm_eps", t->rms_norm_eps);
    if (s == VKVLM_OK) s = check_positive_double(c, "rope_theta", t->rope_theta);
    if (s != VKVLM_OK) return s;

    /* LlamaConfig: num_key_value_heads None -> num_attention_heads (plain multi-head attention). */
    if (!given(obj, "num_key_value_heads")) t->num_key_value_heads = t->num_attention_heads;
    s = check_positive(c, "num_key_value_heads", t->num_key_value_heads);
    if (s != VKVLM_OK) return s;
    if (t->num_attention_heads % t->num_key_value_heads != 0)
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT,
                               "%s: %snum_key_value_heads %d does not divide num_attention_heads %d", c->label,
                               c->prefix, t->num_key_value_heads, t->num_attention_heads);
    /* head_dim None -> hidden_size // num_attention_heads; an explicit head_dim may differ from that. */
    if (!given(obj, "head_dim")) {
        if (t->hidden_size % t->num_attention_heads != 0)
            return vkvlm_error_set(
                c->err, VKVLM_ERR_FORMAT,
                "%s: %snum_attention_heads %d does not divide hidden_size %d (and no head_dim given)", c->label,
                c->prefix, t->num_attention_heads, t->hidden_size);
        t->head_dim = t->hidden_size / t->num_attention_heads;
    }
    s = check_positive(c, "head_dim", t->head_dim);
    if (s != VKVLM_OK) return s;
    if (t->head_dim % 2 != 0)
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %shead_dim %d is odd; rotary embeddings need pairs",
                               c->label, c->prefix, t->head_dim);
    return VKVLM_OK;
}

/* Text models by model_type. A new one (qwen2) is a defaults function + a parse function + one row. */
static const struct {
    const char *model_type;
    void (*defaults)(vkvlm_config_text *t);
    vkvlm_status (*parse)(const cfg_ctx *c, const cJSON *obj, vkvlm_config_text *t);
} text_kinds[] = {
    {"llama", llama_defaults, parse_llama},
};
#define TEXT_KIND_COUNT (sizeof text_kinds / sizeof text_kinds[0])

/* text_config of a composite config. none_defaults fills *t when the key is absent or null (each composite
 * class builds its own default text model). */
static vkvlm_status parse_text_config(const cfg_ctx *c, const cJSON *root, vkvlm_config_text *t,
                                      void (*none_defaults)(vkvlm_config_text *t, const cJSON *root)) {
    const cJSON *tc;
    vkvlm_status s = read_object(c, root, "text_config", &tc);
    if (s != VKVLM_OK) return s;
    cfg_ctx sub = {c->label, "text_config.", c->err};
    if (!tc) {
        none_defaults(t, root);
        return parse_llama(&sub, NULL, t);
    }
    char model_type[VKVLM_CONFIG_NAME_MAX] = "llama"; /* transformers' default for a dict without model_type */
    s = read_string(&sub, tc, "model_type", FIELD_OPTIONAL, model_type, sizeof model_type);
    if (s != VKVLM_OK) return s;
    for (size_t i = 0; i < TEXT_KIND_COUNT; i++) {
        if (strcmp(text_kinds[i].model_type, model_type) != 0) continue;
        text_kinds[i].defaults(t);
        return text_kinds[i].parse(&sub, tc, t);
    }
    return vkvlm_error_set(c->err, VKVLM_ERR_UNSUPPORTED,
                           "%s: text_config.model_type '%s' is not supported (supported: llama)", c->label, model_type);
}

/* ---------------------------------------------------------------- vision towers (>>vision) */

/* Class defaults per vision model_type. */
static const vkvlm_config_vision vision_kinds[] = {
    /* CLIPVisionConfig */
    {.model_type = "clip_vision_model",
     .hidden_size = 768,
     .intermediate_size = 3072,
     .num_hidden_layers = 12,
     .num_attention_heads = 12,
     .num_channels = 3,
     .image_size = 224,
     .patch_size = 32,
     .projection_dim = 512,
     .hidden_act = VKVLM_CONFIG_ACT_QUICK_GELU,
     .layer_norm_eps = 1e-5},
    /* SiglipVisionConfig */
    {.model_type = "siglip_vision_model",
     .hidden_size = 768,
     .intermediate_size = 3072,
     .num_hidden_layers = 12,
     .num_attention_heads = 12,
     .num_channels = 3,
     .image_size = 224,
     .patch_size = 16,
     .projection_dim = 0,
     .hidden_act = VKVLM_CONFIG_ACT_GELU_TANH,
     .layer_norm_eps = 1e-6},
    /* Idefics3VisionConfig */
    {.model_type = "idefics3_vision",
     .hidden_size = 1152,
     .intermediate_size = 3072,
     .num_hidden_layers = 12,
     .num_attention_heads = 16,
     .num_channels = 3,
     .image_size = 224,
     .patch_size = 32,
     .projection_dim = 0,
     .hidden_act = VKVLM_CONFIG_ACT_GELU_TANH,
     .layer_norm_eps = 1e-6},
};
#define VISION_KIND_COUNT (sizeof vision_kinds / sizeof vision_kinds[0])

static const vkvlm_config_vision *vision_kind(const char *model_type) {
    for (size_t i = 0; i < VISION_KIND_COUNT; i++)
        if (strcmp(vision_kinds[i].model_type, model_type) == 0) return &vision_kinds[i];
    return NULL;
}

/* Reads vision keys from obj (NULL: defaults only) over *v, derives, validates. */
static vkvlm_status parse_vision(const cfg_ctx *c, const cJSON *obj, vkvlm_config_vision *v) {
    vkvlm_status s = VKVLM_OK;
    if (s == VKVLM_OK) s = read_int(c, obj, "hidden_size", FIELD_OPTIONAL, &v->hidden_size);
    if (s == VKVLM_OK) s = read_int(c, obj, "intermediate_size", FIELD_OPTIONAL, &v->intermediate_size);
    if (s == VKVLM_OK) s = read_int(c, obj, "num_hidden_layers", FIELD_OPTIONAL, &v->num_hidden_layers);
    if (s == VKVLM_OK) s = read_int(c, obj, "num_attention_heads", FIELD_OPTIONAL, &v->num_attention_heads);
    if (s == VKVLM_OK) s = read_int(c, obj, "num_channels", FIELD_OPTIONAL, &v->num_channels);
    if (s == VKVLM_OK) s = read_int(c, obj, "image_size", FIELD_OPTIONAL, &v->image_size);
    if (s == VKVLM_OK) s = read_int(c, obj, "patch_size", FIELD_OPTIONAL, &v->patch_size);
    if (s == VKVLM_OK && v->projection_dim) s = read_int(c, obj, "projection_dim", FIELD_OPTIONAL, &v->projection_dim);
    if (s == VKVLM_OK) s = read_act(c, obj, "hidden_act", &v->hidden_act);
    if (s == VKVLM_OK) s = read_double(c, obj, "layer_norm_eps", FIELD_OPTIONAL, &v->layer_norm_eps);

    if (s == VKVLM_OK) s = check_positive(c, "hidden_size", v->hidden_size);
    if (s == VKVLM_OK) s = check_positive(c, "intermediate_size", v->intermediate_size);
    if (s == VKVLM_OK) s = check_positive(c, "num_hidden_layers", v->num_hidden_layers);
    if (s == VKVLM_OK) s = check_positive(c, "num_attention_heads", v->num_attention_heads);
    if (s == VKVLM_OK) s = check_positive(c, "num_channels", v->num_channels);
    if (s == VKVLM_OK) s = check_positive(c, "image_size", v->image_size);
    if (s == VKVLM_OK) s = check_positive(c, "patch_size", v->patch_size);
    if (s == VKVLM_OK) s = check_positive_double(c, "layer_norm_eps", v->layer_norm_eps);
    if (s != VKVLM_OK) return s;
    if (v->hidden_size % v->num_attention_heads != 0)
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %snum_attention_heads %d does not divide hidden_size %d",
                               c->label, c->prefix, v->num_attention_heads, v->hidden_size);
    /* Not required to divide: SigLIP-so400m uses 384 px with 14 px patches (27 per side, 6 px unused). */
    if (v->image_size < v->patch_size)
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %simage_size %d is smaller than patch_size %d", c->label,
                               c->prefix, v->image_size, v->patch_size);
    v->head_dim = v->hidden_size / v->num_attention_heads;
    v->patches_per_side = v->image_size / v->patch_size;
    return VKVLM_OK;
}

/* vision_config of a composite config. none_default is used when the key is absent or null; fixed_kind, when
 * set, is the class used whatever model_type the dict says (Idefics3Config always builds its own). */
static vkvlm_status parse_vision_config(const cfg_ctx *c, const cJSON *root, vkvlm_config_vision *v,
                                        const vkvlm_config_vision *none_default, const char *fixed_kind) {
    const cJSON *vc;
    vkvlm_status s = read_object(c, root, "vision_config", &vc);
    if (s != VKVLM_OK) return s;
    cfg_ctx sub = {c->label, "vision_config.", c->err};
    if (!vc) {
        *v = *none_default;
        return parse_vision(&sub, NULL, v);
    }
    char model_type[VKVLM_CONFIG_NAME_MAX] = "clip_vision_model"; /* LlavaConfig's default for a dict */
    s = read_string(&sub, vc, "model_type", FIELD_OPTIONAL, model_type, sizeof model_type);
    if (s != VKVLM_OK) return s;
    const vkvlm_config_vision *kind = vision_kind(fixed_kind ? fixed_kind : model_type);
    if (!kind)
        return vkvlm_error_set(c->err, VKVLM_ERR_UNSUPPORTED,
                               "%s: vision_config.model_type '%s' is not supported (supported: clip_vision_model, "
                               "siglip_vision_model)",
                               c->label, model_type);
    *v = *kind;
    return parse_vision(&sub, vc, v);
}

/* ---------------------------------------------------------------- families (>>family) */

/* LlavaConfig with vision_config=None builds LLaVA-1.5's CLIP ViT-L/14-336, not CLIPVisionConfig's defaults. */
static const vkvlm_config_vision llava_default_vision = {.model_type = "clip_vision_model",
                                                         .hidden_size = 1024,
                                                         .intermediate_size = 4096,
                                                         .num_hidden_layers = 24,
                                                         .num_attention_heads = 16,
                                                         .num_channels = 3,
                                                         .image_size = 336,
                                                         .patch_size = 14,
                                                         .projection_dim = 768,
                                                         .hidden_act = VKVLM_CONFIG_ACT_QUICK_GELU,
                                                         .layer_norm_eps = 1e-5};

static void llava_default_text(vkvlm_config_text *t, const cJSON *root) { llama_defaults(t); }

/* The placeholder id may be >= vocab_size: the engine replaces those rows before any embedding lookup (newer
 * transformers does the same), so only a negative id is nonsense here. */
static vkvlm_status check_image_token(const cfg_ctx *c, const char *key, const vkvlm_config *cfg) {
    if (cfg->image_token_id >= 0) return VKVLM_OK;
    return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s must be >= 0, got %d", c->label, key, cfg->image_token_id);
}

static vkvlm_status parse_llava(const cfg_ctx *c, const cJSON *root, vkvlm_config *cfg) {
    vkvlm_config_llava *l = &cfg->llava;
    cfg->image_token_id = 32000;
    cfg->pad_token_id = -1;
    cfg->tie_word_embeddings = true; /* PretrainedConfig's default; LlavaConfig does not override it */
    l->projector_hidden_act = VKVLM_CONFIG_ACT_GELU;
    l->vision_feature_layer = -2;
    l->vision_feature_select = VKVLM_CONFIG_SELECT_DEFAULT;
    l->image_seq_length = 576;
    l->multimodal_projector_bias = true;

    vkvlm_status s = parse_text_config(c, root, &cfg->text, llava_default_text);
    if (s == VKVLM_OK) s = parse_vision_config(c, root, &cfg->vision, &llava_default_vision, NULL);
    if (s == VKVLM_OK) s = read_int(c, root, "image_token_index", FIELD_OPTIONAL, &cfg->image_token_id);
    if (s == VKVLM_OK) s = read_token_id(c, root, "pad_token_id", &cfg->pad_token_id);
    if (s == VKVLM_OK) s = read_bool(c, root, "tie_word_embeddings", FIELD_OPTIONAL, &cfg->tie_word_embeddings);
    if (s == VKVLM_OK) s = read_act(c, root, "projector_hidden_act", &l->projector_hidden_act);
    if (s == VKVLM_OK) s = read_int(c, root, "image_seq_length", FIELD_OPTIONAL, &l->image_seq_length);
    if (s == VKVLM_OK)
        s = read_bool(c, root, "multimodal_projector_bias", FIELD_OPTIONAL, &l->multimodal_projector_bias);
    if (s != VKVLM_OK) return s;

    const cJSON *layer;
    s = member(c, root, "vision_feature_layer", FIELD_OPTIONAL, &layer);
    if (s != VKVLM_OK) return s;
    if (cJSON_IsArray(layer))
        return vkvlm_error_set(c->err, VKVLM_ERR_UNSUPPORTED,
                               "%s: vision_feature_layer as a list (concatenated layers) is not supported yet",
                               c->label);
    s = read_int(c, root, "vision_feature_layer", FIELD_OPTIONAL, &l->vision_feature_layer);
    if (s != VKVLM_OK) return s;
    int n = cfg->vision.num_hidden_layers; /* hidden_states holds the embeddings + one entry per layer */
    if (l->vision_feature_layer < -(n + 1) || l->vision_feature_layer > n)
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT,
                               "%s: vision_feature_layer %d is outside [-%d, %d] for %d vision layers", c->label,
                               l->vision_feature_layer, n + 1, n, n);

    char strategy[VKVLM_CONFIG_NAME_MAX] = "default";
    s = read_string(c, root, "vision_feature_select_strategy", FIELD_OPTIONAL, strategy, sizeof strategy);
    if (s != VKVLM_OK) return s;
    if (strcmp(strategy, "default") == 0)
        l->vision_feature_select = VKVLM_CONFIG_SELECT_DEFAULT;
    else if (strcmp(strategy, "full") == 0)
        l->vision_feature_select = VKVLM_CONFIG_SELECT_FULL;
    else
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT,
                               "%s: vision_feature_select_strategy '%s' is not 'default' or 'full'", c->label,
                               strategy);

    if (s == VKVLM_OK) s = check_positive(c, "image_seq_length", l->image_seq_length);
    if (s == VKVLM_OK) s = check_image_token(c, "image_token_index", cfg);
    return s;
}

/* Idefics3Config with text_config=None: LlamaConfig(rms_norm_eps=1e-5, pad_token_id=<top-level pad>,
 * tie_word_embeddings=False). */
static void idefics3_default_text(vkvlm_config_text *t, const cJSON *root) {
    llama_defaults(t);
    t->rms_norm_eps = 1e-5;
    t->pad_token_id = 128002;
    const cJSON *pad = root ? cJSON_GetObjectItemCaseSensitive(root, "pad_token_id") : NULL;
    int id;
    if (pad && cJSON_IsNull(pad))
        t->pad_token_id = -1;
    else if (pad && json_is_int(pad, &id) && id >= 0)
        t->pad_token_id = id; /* a bad value fails at the top level */
}

static vkvlm_status parse_idefics3(const cfg_ctx *c, const cJSON *root, vkvlm_config *cfg) {
    cfg->image_token_id = 128257;
    cfg->pad_token_id = 128002;
    cfg->tie_word_embeddings = false;
    cfg->idefics3.scale_factor = 2;

    vkvlm_status s = read_token_id(c, root, "pad_token_id", &cfg->pad_token_id);
    if (s == VKVLM_OK) s = parse_text_config(c, root, &cfg->text, idefics3_default_text);
    if (s == VKVLM_OK)
        s = parse_vision_config(c, root, &cfg->vision, vision_kind("idefics3_vision"), "idefics3_vision");
    if (s == VKVLM_OK) s = read_int(c, root, "image_token_id", FIELD_OPTIONAL, &cfg->image_token_id);
    if (s == VKVLM_OK) s = read_bool(c, root, "tie_word_embeddings", FIELD_OPTIONAL, &cfg->tie_word_embeddings);
    if (s == VKVLM_OK) s = read_int(c, root, "scale_factor", FIELD_OPTIONAL, &cfg->idefics3.scale_factor);
    if (s == VKVLM_OK) s = check_positive(c, "scale_factor", cfg->idefics3.scale_factor);
    if (s != VKVLM_OK) return s;
    if (cfg->vision.patches_per_side % cfg->idefics3.scale_factor != 0)
        return vkvlm_error_set(
            c->err, VKVLM_ERR_FORMAT,
            "%s: scale_factor %d does not divide the %d patches per side (vision_config.image_size %d "
            "/ patch_size %d)",
            c->label, cfg->idefics3.scale_factor, cfg->vision.patches_per_side, cfg->vision.image_size,
            cfg->vision.patch_size);
    return check_image_token(c, "image_token_id", cfg);
}

/* "linear" -> 1, "mlp<N>x_gelu" -> N, "identity" -> 0, anything else -> -1 (as LLaVA's projector builder). */
static int projector_depth(const char *type) {
    if (strcmp(type, "linear") == 0) return 1;
    if (strcmp(type, "identity") == 0) return 0;
    int n = 0, used = 0;
    if (sscanf(type, "mlp%dx_gelu%n", &n, &used) == 1 && used == (int)strlen(type) && n >= 1 && n <= 64) return n;
    return -1;
}

static vkvlm_status parse_proxyv(const cfg_ctx *c, const cJSON *root, vkvlm_config *cfg) {
    vkvlm_config_proxyv *p = &cfg->proxyv;
    p->max_num_image_crops = 1;
    vkvlm_status s = read_bool(c, root, "proxyv", FIELD_NULLABLE, &p->enabled);
    if (s == VKVLM_OK) s = read_bool(c, root, "learn_proxy", FIELD_NULLABLE, &p->learn_proxy);
    if (s == VKVLM_OK) s = read_int(c, root, "max_num_image_crops", FIELD_NULLABLE, &p->max_num_image_crops);
    if (s == VKVLM_OK) s = check_positive(c, "max_num_image_crops", p->max_num_image_crops);
    if (s != VKVLM_OK) return s;
    unsigned need = p->enabled ? FIELD_REQUIRED : FIELD_NULLABLE;
    if (s == VKVLM_OK) s = read_int(c, root, "proxyv_start_layer", need, &p->start_layer);
    if (s == VKVLM_OK) s = read_int(c, root, "proxyv_reduce_factor", need, &p->reduce_factor);
    if (s == VKVLM_OK) s = read_int(c, root, "per_crop_token_len", need, &p->per_crop_token_len);
    if (s != VKVLM_OK || !p->enabled) return s;

    if (p->start_layer < 0 || p->start_layer >= cfg->text.num_hidden_layers)
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: proxyv_start_layer %d is outside [0, %d)", c->label,
                               p->start_layer, cfg->text.num_hidden_layers);
    s = check_positive(c, "proxyv_reduce_factor", p->reduce_factor);
    if (s == VKVLM_OK) s = check_positive(c, "per_crop_token_len", p->per_crop_token_len);
    if (s != VKVLM_OK) return s;
    int g = (int)lround(sqrt((double)p->per_crop_token_len));
    if (g * g != p->per_crop_token_len)
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: per_crop_token_len %d is not a square grid", c->label,
                               p->per_crop_token_len);
    if (g % p->reduce_factor != 0)
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT,
                               "%s: proxyv_reduce_factor %d does not divide the %dx%d crop grid", c->label,
                               p->reduce_factor, g, g);
    return VKVLM_OK;
}

static vkvlm_status parse_llava_llama(const cfg_ctx *c, const cJSON *root, vkvlm_config *cfg) {
    vkvlm_config_llava_llama *m = &cfg->llava_llama;
    llama_defaults(&cfg->text);
    vkvlm_status s = parse_llama(c, root, &cfg->text);
    if (s != VKVLM_OK) return s;
    cfg->image_token_id = -200; /* LLaVA's IMAGE_TOKEN_INDEX: spliced into input_ids, never embedded */
    cfg->pad_token_id = cfg->text.pad_token_id;
    cfg->tie_word_embeddings = cfg->text.tie_word_embeddings;

    snprintf(m->mm_projector_type, sizeof m->mm_projector_type, "linear");
    m->mm_vision_select_feature = VKVLM_CONFIG_SELECT_DEFAULT;
    char feature[VKVLM_CONFIG_NAME_MAX] = "patch";
    if (s == VKVLM_OK)
        s = read_string(c, root, "mm_vision_tower", FIELD_REQUIRED, m->mm_vision_tower, sizeof m->mm_vision_tower);
    if (s == VKVLM_OK) s = read_int(c, root, "mm_hidden_size", FIELD_REQUIRED, &m->mm_hidden_size);
    if (s == VKVLM_OK) s = read_int(c, root, "mm_vision_select_layer", FIELD_REQUIRED, &m->mm_vision_select_layer);
    if (s == VKVLM_OK)
        s = read_string(c, root, "mm_projector_type", FIELD_NULLABLE, m->mm_projector_type,
                        sizeof m->mm_projector_type);
    if (s == VKVLM_OK) s = read_string(c, root, "mm_vision_select_feature", FIELD_NULLABLE, feature, sizeof feature);
    if (s == VKVLM_OK)
        s = read_string(c, root, "image_aspect_ratio", FIELD_NULLABLE, m->image_aspect_ratio,
                        sizeof m->image_aspect_ratio);
    if (s == VKVLM_OK) s = read_bool(c, root, "mm_use_im_start_end", FIELD_NULLABLE, &m->mm_use_im_start_end);
    if (s == VKVLM_OK) s = read_bool(c, root, "mm_use_im_patch_token", FIELD_NULLABLE, &m->mm_use_im_patch_token);
    if (s == VKVLM_OK)
        s = read_int(c, root, "tokenizer_model_max_length", FIELD_NULLABLE, &m->tokenizer_model_max_length);
    if (s == VKVLM_OK) s = check_positive(c, "mm_hidden_size", m->mm_hidden_size);
    if (s != VKVLM_OK) return s;

    if (!m->mm_vision_tower[0])
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: mm_vision_tower is empty", c->label);
    if (!m->mm_projector_type[0]) snprintf(m->mm_projector_type, sizeof m->mm_projector_type, "linear");
    m->mm_projector_depth = projector_depth(m->mm_projector_type);
    if (m->mm_projector_depth < 0)
        return vkvlm_error_set(
            c->err, VKVLM_ERR_UNSUPPORTED,
            "%s: mm_projector_type '%s' is not supported (supported: linear, mlp<N>x_gelu, identity)", c->label,
            m->mm_projector_type);
    if (!feature[0] || strcmp(feature, "patch") == 0)
        m->mm_vision_select_feature = VKVLM_CONFIG_SELECT_DEFAULT;
    else if (strcmp(feature, "cls_patch") == 0)
        m->mm_vision_select_feature = VKVLM_CONFIG_SELECT_FULL;
    else
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT,
                               "%s: mm_vision_select_feature '%s' is not 'patch' or 'cls_patch'", c->label, feature);
    return parse_proxyv(c, root, cfg);
}

/* Families by model_type: the one place that knows which exist. A new family is one row + one function. */
static const struct {
    const char *model_type;
    vkvlm_config_family family;
    vkvlm_status (*parse)(const cfg_ctx *c, const cJSON *root, vkvlm_config *cfg);
} family_table[] = {
    {"llava", VKVLM_CONFIG_LLAVA, parse_llava},
    {"idefics3", VKVLM_CONFIG_IDEFICS3, parse_idefics3},
    {"llava_llama", VKVLM_CONFIG_LLAVA_LLAMA, parse_llava_llama},
};
#define FAMILY_TABLE_COUNT (sizeof family_table / sizeof family_table[0])

/* ---------------------------------------------------------------- generation_config */

vkvlm_status vkvlm_generation_config_parse(vkvlm_generation_config *gen, const char *json, size_t len,
                                           const char *label, vkvlm_error *err) {
    if (!gen || (!json && len))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_generation_config_parse: gen and json are required");
    memset(gen, 0, sizeof *gen);
    gen->bos_token_id = -1;
    gen->pad_token_id = -1;
    label = label ? label : "generation_config.json";
    cJSON *root;
    vkvlm_status s = parse_json(json ? json : "", len, label, err, &root);
    if (s != VKVLM_OK) return s;
    cfg_ctx c = {label, "", err};
    s = read_token_id(&c, root, "bos_token_id", &gen->bos_token_id);
    if (s == VKVLM_OK) s = read_token_ids(&c, root, "eos_token_id", gen->eos_token_ids, &gen->n_eos_token_ids);
    if (s == VKVLM_OK) s = read_token_id(&c, root, "pad_token_id", &gen->pad_token_id);
    cJSON_Delete(root);
    gen->present = s == VKVLM_OK;
    return s;
}

/* ---------------------------------------------------------------- entry points */

vkvlm_status vkvlm_config_parse(vkvlm_config *cfg, const char *json, size_t len, const char *label, vkvlm_error *err) {
    if (!cfg || (!json && len))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_config_parse: cfg and json are required");
    memset(cfg, 0, sizeof *cfg);
    label = label ? label : "config.json";
    cJSON *root;
    vkvlm_status s = parse_json(json ? json : "", len, label, err, &root);
    if (s != VKVLM_OK) return s;
    cfg_ctx c = {label, "", err};
    s = read_string(&c, root, "model_type", FIELD_REQUIRED, cfg->model_type, sizeof cfg->model_type);
    if (s == VKVLM_OK) {
        size_t i = 0;
        while (i < FAMILY_TABLE_COUNT && strcmp(family_table[i].model_type, cfg->model_type) != 0) i++;
        if (i == FAMILY_TABLE_COUNT) {
            s = vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                                "%s: model_type '%s' is not supported (supported: llava, idefics3, llava_llama)", label,
                                cfg->model_type);
        } else {
            cfg->family = family_table[i].family;
            s = family_table[i].parse(&c, root, cfg);
        }
    }
    cJSON_Delete(root);
    return s;
}

static char *join3(const char *a, const char *b, const char *c) {
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s%s%s", a, b, c);
    return p;
}

static int is_file(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Maps path and hands its text to fn. */
static vkvlm_status with_file_text(const char *path, vkvlm_error *err,
                                   vkvlm_status (*fn)(void *ctx, const char *text, size_t len, const char *label,
                                                      vkvlm_error *err),
                                   void *ctx) {
    vkvlm_file_map map = {0};
    vkvlm_status s = vkvlm_file_map_open(&map, path, err);
    if (s == VKVLM_OK) s = fn(ctx, (const char *)map.data, map.size, path, err);
    vkvlm_file_map_close(&map);
    return s;
}

static vkvlm_status config_text_fn(void *ctx, const char *text, size_t len, const char *label, vkvlm_error *err) {
    return vkvlm_config_parse(ctx, text, len, label, err);
}

static vkvlm_status generation_text_fn(void *ctx, const char *text, size_t len, const char *label, vkvlm_error *err) {
    return vkvlm_generation_config_parse(ctx, text, len, label, err);
}

/* A tower folder's config.json: CLIPVisionConfig/SiglipVisionConfig, or a full CLIPConfig/SiglipConfig whose
 * vision_config is the tower (openai/clip-vit-large-patch14-336 is the latter). */
static vkvlm_status tower_text_fn(void *ctx, const char *text, size_t len, const char *label, vkvlm_error *err) {
    vkvlm_config_vision *v = ctx;
    cJSON *root;
    vkvlm_status s = parse_json(text ? text : "", len, label, err, &root);
    if (s != VKVLM_OK) return s;
    cfg_ctx c = {label, "", err};
    char model_type[VKVLM_CONFIG_NAME_MAX] = "";
    s = read_string(&c, root, "model_type", FIELD_REQUIRED, model_type, sizeof model_type);
    if (s == VKVLM_OK) {
        const vkvlm_config_vision *kind = NULL;
        const cJSON *obj = root;
        if (strcmp(model_type, "clip") == 0 || strcmp(model_type, "siglip") == 0) {
            kind = vision_kind(strcmp(model_type, "clip") == 0 ? "clip_vision_model" : "siglip_vision_model");
            s = read_object(&c, root, "vision_config", &obj);
            c.prefix = "vision_config.";
        } else {
            kind = vision_kind(model_type);
        }
        if (s == VKVLM_OK && (!kind || strcmp(kind->model_type, "idefics3_vision") == 0))
            s = vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                                "%s: vision tower model_type '%s' is not supported (supported: clip_vision_model, "
                                "siglip_vision_model, clip, siglip)",
                                label, model_type);
        if (s == VKVLM_OK) {
            *v = *kind;
            s = parse_vision(&c, obj, v);
        }
    }
    cJSON_Delete(root);
    return s;
}

/* llava_llama: find and read the tower's config.json (see config.h for the search order). */
static vkvlm_status load_tower(vkvlm_config *cfg, const char *dir, vkvlm_error *err) {
    vkvlm_config_llava_llama *m = &cfg->llava_llama;
    char *candidates[3] = {
        join3(dir, "/", m->mm_vision_tower),
        join3(dir, "/../", m->mm_vision_tower),
        join3(m->mm_vision_tower, "", ""),
    };
    vkvlm_status s = VKVLM_OK;
    for (int i = 0; i < 3; i++)
        if (!candidates[i]) s = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory", dir);
    for (int i = 0; i < 3 && s == VKVLM_OK; i++) {
        char *path = join3(candidates[i], "/config.json", "");
        if (!path) {
            s = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory", dir);
            break;
        }
        if (is_file(path)) {
            vkvlm_config_vision v = {0};
            s = with_file_text(path, err, tower_text_fn, &v);
            if (s == VKVLM_OK) {
                cfg->vision = v;
                if (strlen(path) < sizeof m->vision_config_path) memcpy(m->vision_config_path, path, strlen(path) + 1);
            }
            free(path);
            break;
        }
        free(path);
    }
    for (int i = 0; i < 3; i++) free(candidates[i]);
    if (s != VKVLM_OK || !cfg->vision.model_type[0]) return s;
    int n = cfg->vision.num_hidden_layers;
    if (m->mm_vision_select_layer < -(n + 1) || m->mm_vision_select_layer > n)
        return vkvlm_error_set(
            err, VKVLM_ERR_FORMAT,
            "%s/config.json: mm_vision_select_layer %d is outside [-%d, %d] for the tower's %d layers", dir,
            m->mm_vision_select_layer, n + 1, n, n);
    if (m->mm_hidden_size != cfg->vision.hidden_size)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                               "%s/config.json: mm_hidden_size %d differs from the tower's hidden_size %d (%s)", dir,
                               m->mm_hidden_size, cfg->vision.hidden_size, m->vision_config_path);
    return VKVLM_OK;
}

vkvlm_status vkvlm_config_load(vkvlm_config *cfg, const char *dir, vkvlm_error *err) {
    if (!cfg || !dir) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_config_load: cfg and dir are required");
    memset(cfg, 0, sizeof *cfg);
    char *path = join3(dir, "/config.json", "");
    if (!path) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory", dir);
    vkvlm_status s = with_file_text(path, err, config_text_fn, cfg);
    free(path);
    if (s != VKVLM_OK) return s;

    path = join3(dir, "/generation_config.json", "");
    if (!path) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: no memory", dir);
    if (is_file(path)) s = with_file_text(path, err, generation_text_fn, &cfg->generation);
    free(path);
    if (s != VKVLM_OK) return s;

    if (cfg->family == VKVLM_CONFIG_LLAVA_LLAMA) s = load_tower(cfg, dir, err);
    return s;
}
