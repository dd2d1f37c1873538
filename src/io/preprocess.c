/* preprocess.c — the processor config (preprocessor_config.json, processor_config.json), the output object, and
 * the steps every processor shares: resize, crop, and the float32 rescale/normalise/transpose.
 *
 * Does: JSON parsing with transformers' class defaults and range checks; dispatch to the processor pipelines
 * (preprocess_clip.c, preprocess_idefics3.c). Does not: decode images, or hold state between calls.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/preprocess.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "io/preprocess_internal.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Sides above this are certainly a broken config (HF's own cap is 4096 for Idefics3). */
#define PREPROCESS_MAX_SIDE 16384
/* preprocessor_config.json is a few hundred bytes; anything beyond this is not one. */
#define PREPROCESS_MAX_JSON_BYTES (1 << 20)

/* ---------------------------------------------------------------- JSON fields */

/* Where messages say the field came from. */
typedef struct preprocess_json_ctx {
    const char *name; /* checkpoint directory or "<memory>" */
    const char *file; /* "preprocessor_config.json" or "processor_config.json" */
    vkvlm_error *err;
} preprocess_json_ctx;

/* true/false; JSON null reads as false, because transformers stores None and tests it for truth. Absent: keep. */
static vkvlm_status pp_json_bool(const preprocess_json_ctx *c, const cJSON *obj, const char *key, int *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return VKVLM_OK;
    if (cJSON_IsBool(v) || cJSON_IsNull(v)) {
        *out = cJSON_IsTrue(v) ? 1 : 0;
        return VKVLM_OK;
    }
    return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s: \"%s\" must be true or false", c->name, c->file, key);
}

/* A whole number in [lo, hi]. */
static vkvlm_status pp_json_int_value(const preprocess_json_ctx *c, const cJSON *v, const char *key, int lo, int hi,
                                      int *out) {
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s: \"%s\" must be a whole number in %d..%d", c->name,
                               c->file, key, lo, hi);
    *out = (int)v->valuedouble;
    return VKVLM_OK;
}

static vkvlm_status pp_json_int(const preprocess_json_ctx *c, const cJSON *obj, const char *key, int lo, int hi,
                                int *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) return VKVLM_OK;
    return pp_json_int_value(c, v, key, lo, hi, out);
}

static vkvlm_status pp_json_double(const preprocess_json_ctx *c, const cJSON *obj, const char *key, double *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) return VKVLM_OK;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s: \"%s\" must be a finite number", c->name, c->file, key);
    *out = v->valuedouble;
    return VKVLM_OK;
}

/* image_mean / image_std: one number for all channels, or a list of exactly 3 (HF rejects other lengths). */
static vkvlm_status pp_json_triple(const preprocess_json_ctx *c, const cJSON *obj, const char *key, double out[3]) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) return VKVLM_OK;
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
        out[0] = out[1] = out[2] = v->valuedouble;
        return VKVLM_OK;
    }
    int ok = cJSON_IsArray(v) && cJSON_GetArraySize(v) == 3;
    double t[3] = {0, 0, 0};
    for (int i = 0; ok && i < 3; i++) {
        const cJSON *e = cJSON_GetArrayItem(v, i);
        ok = cJSON_IsNumber(e) && isfinite(e->valuedouble);
        if (ok) t[i] = e->valuedouble;
    }
    if (!ok)
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s: \"%s\" must be a number or a list of 3 numbers",
                               c->name, c->file, key);
    memcpy(out, t, sizeof t);
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- per-processor fields */

static vkvlm_status pp_parse_common(const preprocess_json_ctx *c, const cJSON *root, vkvlm_preprocess_config *cfg) {
    int resample = (int)cfg->resample;
    vkvlm_status st = VKVLM_OK;
    if (st == VKVLM_OK) st = pp_json_bool(c, root, "do_convert_rgb", &cfg->do_convert_rgb);
    if (st == VKVLM_OK) st = pp_json_bool(c, root, "do_resize", &cfg->do_resize);
    if (st == VKVLM_OK) st = pp_json_bool(c, root, "do_rescale", &cfg->do_rescale);
    if (st == VKVLM_OK) st = pp_json_bool(c, root, "do_normalize", &cfg->do_normalize);
    if (st == VKVLM_OK) st = pp_json_int(c, root, "resample", 0, VKVLM_RESAMPLE_FILTER_COUNT - 1, &resample);
    if (st == VKVLM_OK) st = pp_json_double(c, root, "rescale_factor", &cfg->rescale_factor);
    if (st == VKVLM_OK) st = pp_json_triple(c, root, "image_mean", cfg->image_mean);
    if (st == VKVLM_OK) st = pp_json_triple(c, root, "image_std", cfg->image_std);
    if (st != VKVLM_OK) return st;
    cfg->resample = (vkvlm_resample_filter)resample;
    for (int i = 0; i < 3; i++)
        if (cfg->image_std[i] == 0.0 || (float)cfg->image_std[i] == 0.0f)
            return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s: \"image_std\" has a zero entry", c->name, c->file);
    return VKVLM_OK;
}

/* CLIP's size: an int (legacy: the shortest edge), {"shortest_edge"}, or {"height", "width"}. */
static vkvlm_status pp_parse_clip(const preprocess_json_ctx *c, const cJSON *root, vkvlm_preprocess_config *cfg) {
    vkvlm_status st;
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(root, "size");
    if (size && !cJSON_IsNull(size)) {
        if (cJSON_IsNumber(size)) {
            st = pp_json_int_value(c, size, "size", 1, PREPROCESS_MAX_SIDE, &cfg->shortest_edge);
            if (st != VKVLM_OK) return st;
        } else if (cJSON_IsObject(size) && cJSON_GetObjectItemCaseSensitive(size, "shortest_edge")) {
            st = pp_json_int(c, size, "shortest_edge", 1, PREPROCESS_MAX_SIDE, &cfg->shortest_edge);
            if (st != VKVLM_OK) return st;
        } else if (cJSON_IsObject(size) && cJSON_GetObjectItemCaseSensitive(size, "height") &&
                   cJSON_GetObjectItemCaseSensitive(size, "width")) {
            cfg->shortest_edge = 0;
            st = pp_json_int(c, size, "height", 1, PREPROCESS_MAX_SIDE, &cfg->size_height);
            if (st == VKVLM_OK) st = pp_json_int(c, size, "width", 1, PREPROCESS_MAX_SIDE, &cfg->size_width);
            if (st != VKVLM_OK) return st;
        } else {
            return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT,
                                   "%s: %s: \"size\" must hold \"shortest_edge\" or \"height\" and \"width\"", c->name,
                                   c->file);
        }
    }
    const cJSON *crop = cJSON_GetObjectItemCaseSensitive(root, "crop_size");
    if (crop && !cJSON_IsNull(crop)) {
        if (cJSON_IsNumber(crop)) {
            st = pp_json_int_value(c, crop, "crop_size", 1, PREPROCESS_MAX_SIDE, &cfg->crop_height);
            cfg->crop_width = cfg->crop_height;
        } else if (cJSON_IsObject(crop) && cJSON_GetObjectItemCaseSensitive(crop, "height") &&
                   cJSON_GetObjectItemCaseSensitive(crop, "width")) {
            st = pp_json_int(c, crop, "height", 1, PREPROCESS_MAX_SIDE, &cfg->crop_height);
            if (st == VKVLM_OK) st = pp_json_int(c, crop, "width", 1, PREPROCESS_MAX_SIDE, &cfg->crop_width);
        } else {
            st = vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s: \"crop_size\" must hold \"height\" and \"width\"",
                                 c->name, c->file);
        }
        if (st != VKVLM_OK) return st;
    }
    return pp_json_bool(c, root, "do_center_crop", &cfg->do_center_crop);
}

/* Idefics3's size: {"longest_edge"} (or {"height", "width"}, which its resize also takes); max_image_size:
 * {"longest_edge"}. */
static vkvlm_status pp_parse_idefics3(const preprocess_json_ctx *c, const cJSON *root, vkvlm_preprocess_config *cfg) {
    vkvlm_status st;
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(root, "size");
    if (size && !cJSON_IsNull(size)) {
        if (cJSON_IsObject(size) && cJSON_GetObjectItemCaseSensitive(size, "longest_edge")) {
            st = pp_json_int(c, size, "longest_edge", 1, PREPROCESS_MAX_SIDE, &cfg->longest_edge);
        } else if (cJSON_IsObject(size) && cJSON_GetObjectItemCaseSensitive(size, "height") &&
                   cJSON_GetObjectItemCaseSensitive(size, "width")) {
            cfg->longest_edge = 0;
            st = pp_json_int(c, size, "height", 1, PREPROCESS_MAX_SIDE, &cfg->size_height);
            if (st == VKVLM_OK) st = pp_json_int(c, size, "width", 1, PREPROCESS_MAX_SIDE, &cfg->size_width);
        } else {
            st = vkvlm_error_set(c->err, VKVLM_ERR_FORMAT,
                                 "%s: %s: \"size\" must hold \"longest_edge\" or \"height\" and \"width\"", c->name,
                                 c->file);
        }
        if (st != VKVLM_OK) return st;
    }
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(root, "max_image_size");
    if (max && !cJSON_IsNull(max)) {
        if (!cJSON_IsObject(max) || !cJSON_GetObjectItemCaseSensitive(max, "longest_edge"))
            return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s: \"max_image_size\" must hold \"longest_edge\"",
                                   c->name, c->file);
        st = pp_json_int(c, max, "longest_edge", 1, PREPROCESS_MAX_SIDE, &cfg->max_image_size);
        if (st != VKVLM_OK) return st;
    }
    st = pp_json_bool(c, root, "do_image_splitting", &cfg->do_image_splitting);
    if (st == VKVLM_OK) st = pp_json_bool(c, root, "do_pad", &cfg->do_pad);
    return st;
}

/* processor_config.json: the token counts the chat template needs. */
static vkvlm_status pp_parse_processor(const preprocess_json_ctx *c, const cJSON *root, vkvlm_preprocess_config *cfg) {
    if (!cJSON_IsObject(root))
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s: not a JSON object", c->name, c->file);
    if (cfg->kind == VKVLM_PREPROCESS_IDEFICS3) return pp_json_int(c, root, "image_seq_len", 1, 1 << 20, &cfg->image_seq_len);
    /* LlavaProcessor: (H / patch) * (W / patch) + num_additional_image_tokens, minus the CLS row that the
     * "default" feature strategy drops. Without patch_size transformers leaves the expansion to the model. */
    vkvlm_status st = pp_json_int(c, root, "patch_size", 1, PREPROCESS_MAX_SIDE, &cfg->patch_size);
    if (st == VKVLM_OK) st = pp_json_int(c, root, "num_additional_image_tokens", 0, 64, &cfg->num_additional_image_tokens);
    if (st != VKVLM_OK) return st;
    const cJSON *strategy = cJSON_GetObjectItemCaseSensitive(root, "vision_feature_select_strategy");
    if (strategy && !cJSON_IsNull(strategy) && !cJSON_IsString(strategy))
        return vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s: \"vision_feature_select_strategy\" must be a string",
                               c->name, c->file);
    int drop_cls = cJSON_IsString(strategy) && strcmp(strategy->valuestring, "default") == 0;
    /* The count follows the output size, which is fixed only by a centre crop or a height x width resize. */
    int h = cfg->do_center_crop ? cfg->crop_height : cfg->shortest_edge ? 0 : cfg->size_height;
    int w = cfg->do_center_crop ? cfg->crop_width : cfg->shortest_edge ? 0 : cfg->size_width;
    if (cfg->patch_size > 0 && cJSON_IsString(strategy) && h > 0 && w > 0)
        cfg->image_seq_len = (h / cfg->patch_size) * (w / cfg->patch_size) + cfg->num_additional_image_tokens - drop_cls;
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- config */

static void pp_defaults_clip(vkvlm_preprocess_config *cfg) {
    /* CLIPImageProcessor.__init__ defaults (OpenAI CLIP mean and std) */
    static const double mean[3] = {0.48145466, 0.4578275, 0.40821073};
    static const double std[3] = {0.26862954, 0.26130258, 0.27577711};
    cfg->resample = VKVLM_RESAMPLE_BICUBIC;
    cfg->shortest_edge = 224;
    cfg->do_center_crop = 1;
    cfg->crop_height = cfg->crop_width = 224;
    memcpy(cfg->image_mean, mean, sizeof mean);
    memcpy(cfg->image_std, std, sizeof std);
}

static void pp_defaults_idefics3(vkvlm_preprocess_config *cfg) {
    /* Idefics3ImageProcessor.__init__ defaults (IMAGENET_STANDARD mean and std = 0.5) */
    cfg->resample = VKVLM_RESAMPLE_LANCZOS;
    cfg->longest_edge = 4 * 364;
    cfg->max_image_size = 364;
    cfg->do_image_splitting = 1;
    cfg->do_pad = 1;
    for (int i = 0; i < 3; i++) cfg->image_mean[i] = cfg->image_std[i] = 0.5;
}

static cJSON *pp_json_parse(const preprocess_json_ctx *c, const char *text) {
    const char *end = NULL;
    size_t len = strlen(text);
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s: invalid JSON near byte %zu", c->name, c->file, at);
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        vkvlm_error_set(c->err, VKVLM_ERR_FORMAT, "%s: %s: not a JSON object", c->name, c->file);
        return NULL;
    }
    return root;
}

vkvlm_status vkvlm_preprocess_config_parse(vkvlm_preprocess_config *cfg, const char *preprocessor_json,
                                           const char *processor_json, const char *name, vkvlm_error *err) {
    if (!name) name = "<memory>";
    if (!cfg || !preprocessor_json)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "%s: vkvlm_preprocess_config_parse: NULL argument", name);
    memset(cfg, 0, sizeof *cfg);
    preprocess_json_ctx c = {name, "preprocessor_config.json", err};
    cJSON *root = pp_json_parse(&c, preprocessor_json);
    if (!root) return err ? err->status : VKVLM_ERR_FORMAT;

    const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "image_processor_type");
    if (!type) type = cJSON_GetObjectItemCaseSensitive(root, "feature_extractor_type"); /* pre-2023 files */
    if (!cJSON_IsString(type)) {
        cJSON_Delete(root);
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s: no \"image_processor_type\" string", name, c.file);
    }
    const char *t = type->valuestring;
    if (strcmp(t, "CLIPImageProcessor") == 0 || strcmp(t, "CLIPFeatureExtractor") == 0) {
        cfg->kind = VKVLM_PREPROCESS_CLIP;
    } else if (strcmp(t, "Idefics3ImageProcessor") == 0 || strcmp(t, "SmolVLMImageProcessor") == 0) {
        cfg->kind = VKVLM_PREPROCESS_IDEFICS3;
    } else {
        vkvlm_status st = vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                                          "%s: %s: image processor \"%.64s\" is not supported (CLIPImageProcessor, "
                                          "Idefics3ImageProcessor and SmolVLMImageProcessor are)",
                                          name, c.file, t);
        cJSON_Delete(root);
        return st;
    }
    snprintf(cfg->processor_type, sizeof cfg->processor_type, "%s", t);
    cfg->do_convert_rgb = cfg->do_resize = cfg->do_rescale = cfg->do_normalize = 1;
    cfg->rescale_factor = 1.0 / 255.0;
    if (cfg->kind == VKVLM_PREPROCESS_CLIP) pp_defaults_clip(cfg);
    else pp_defaults_idefics3(cfg);

    vkvlm_status st = pp_parse_common(&c, root, cfg);
    if (st == VKVLM_OK)
        st = cfg->kind == VKVLM_PREPROCESS_CLIP ? pp_parse_clip(&c, root, cfg) : pp_parse_idefics3(&c, root, cfg);
    cJSON_Delete(root);
    if (st != VKVLM_OK) {
        cfg->kind = VKVLM_PREPROCESS_NONE;
        return st;
    }
    if (processor_json) {
        preprocess_json_ctx pc = {name, "processor_config.json", err};
        cJSON *proc = pp_json_parse(&pc, processor_json);
        st = proc ? pp_parse_processor(&pc, proc, cfg) : (err ? err->status : VKVLM_ERR_FORMAT);
        cJSON_Delete(proc);
        if (st != VKVLM_OK) {
            cfg->kind = VKVLM_PREPROCESS_NONE;
            return st;
        }
    }
    return VKVLM_OK;
}

/* Reads a small text file. Returns NULL with *missing = 1 when it does not exist (and no error is recorded). */
static char *pp_read_text(const char *path, int *missing, vkvlm_error *err) {
    *missing = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) {
            *missing = 1;
            return NULL;
        }
        vkvlm_error_set(err, VKVLM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(PREPROCESS_MAX_JSON_BYTES + 1);
    if (!buf) {
        fclose(f);
        vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
        return NULL;
    }
    size_t n = fread(buf, 1, PREPROCESS_MAX_JSON_BYTES + 1, f);
    int failed = ferror(f);
    int saved_errno = errno;
    fclose(f);
    if (failed) {
        free(buf);
        vkvlm_error_set(err, VKVLM_ERR_IO, "%s: cannot read: %s", path, strerror(saved_errno));
        return NULL;
    }
    if (n > PREPROCESS_MAX_JSON_BYTES) {
        free(buf);
        vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: larger than %d bytes, not a processor config", path,
                        PREPROCESS_MAX_JSON_BYTES);
        return NULL;
    }
    if (memchr(buf, '\0', n)) {
        free(buf);
        vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: contains a NUL byte, not JSON text", path);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

vkvlm_status vkvlm_preprocess_config_load(vkvlm_preprocess_config *cfg, const char *dir, vkvlm_error *err) {
    if (!cfg || !dir) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_preprocess_config_load: NULL argument");
    memset(cfg, 0, sizeof *cfg);
    size_t n = strlen(dir) + 32;
    char *path = malloc(n);
    if (!path) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory", dir);
    int missing = 0;
    snprintf(path, n, "%s/preprocessor_config.json", dir);
    char *pre = pp_read_text(path, &missing, err);
    if (!pre) {
        vkvlm_status st = missing ? vkvlm_error_set(err, VKVLM_ERR_IO, "%s: no such file (the checkpoint has no image "
                                                    "processor config)", path)
                                  : (err ? err->status : VKVLM_ERR_IO);
        free(path);
        return st;
    }
    snprintf(path, n, "%s/processor_config.json", dir);
    char *proc = pp_read_text(path, &missing, err);
    vkvlm_status st = VKVLM_OK;
    if (!proc && !missing) st = err ? err->status : VKVLM_ERR_IO;
    if (st == VKVLM_OK) st = vkvlm_preprocess_config_parse(cfg, pre, proc, dir, err);
    free(pre);
    free(proc);
    free(path);
    return st;
}

void vkvlm_preprocess_config_set_pad_to_square(vkvlm_preprocess_config *cfg) {
    if (!cfg) return;
    cfg->pad_to_square = 1;
    /* LLaVA: tuple(int(x * 255) for x in image_processor.image_mean), truncation toward zero */
    for (int i = 0; i < 3; i++) {
        double v = cfg->image_mean[i] * 255.0;
        cfg->pad_color[i] = v <= 0.0 ? 0 : v >= 255.0 ? 255 : (uint8_t)v;
    }
}

/* ---------------------------------------------------------------- output */

vkvlm_status preprocess_output_create(int tiles, int height, int width, vkvlm_preprocess_output **out,
                                      vkvlm_error *err) {
    *out = NULL;
    size_t n = (size_t)tiles * 3 * (size_t)height * (size_t)width;
    vkvlm_preprocess_output *o = calloc(1, sizeof *o);
    float *p = calloc(n, sizeof *p);
    if (!o || !p) {
        free(o);
        free(p);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "preprocess: out of memory for %d x 3 x %d x %d floats",
                               tiles, height, width);
    }
    o->pixels = p;
    o->tiles = tiles;
    o->channels = 3;
    o->height = height;
    o->width = width;
    *out = o;
    return VKVLM_OK;
}

void vkvlm_preprocess_output_destroy(vkvlm_preprocess_output *output) {
    if (!output) return;
    free(output->pixels);
    free(output);
}

/* ---------------------------------------------------------------- shared steps */

vkvlm_status preprocess_resize(const vkvlm_image *in, int width, int height, vkvlm_resample_filter filter,
                               vkvlm_image **out, vkvlm_error *err) {
    vkvlm_status st = vkvlm_image_create(width, height, out, err);
    if (st != VKVLM_OK) {
        vkvlm_error_context(err, "preprocess: resizing %d x %d to %d x %d", in->width, in->height, width, height);
        return st;
    }
    st = vkvlm_resample_u8(in->rgb, in->width, in->height, 3, (*out)->rgb, width, height, filter, err);
    if (st != VKVLM_OK) {
        vkvlm_image_destroy(*out);
        *out = NULL;
    }
    return st;
}

vkvlm_status preprocess_crop(const vkvlm_image *in, int left, int top, int width, int height, vkvlm_image **out,
                             vkvlm_error *err) {
    vkvlm_status st = vkvlm_image_create(width, height, out, err); /* zero-filled: the padding */
    if (st != VKVLM_OK) return st;
    for (int y = 0; y < height; y++) {
        long sy = (long)top + y;
        if (sy < 0 || sy >= in->height) continue;
        /* columns of the window that lie inside the image */
        long x0 = left < 0 ? -(long)left : 0;
        long x1 = (long)in->width - left < width ? (long)in->width - left : width;
        if (x1 <= x0) continue;
        memcpy((*out)->rgb + ((size_t)y * (size_t)width + (size_t)x0) * 3,
               in->rgb + ((size_t)sy * (size_t)in->width + (size_t)(left + x0)) * 3, (size_t)(x1 - x0) * 3);
    }
    return VKVLM_OK;
}

/* transformers: rescale = (uint8 as float64 * factor) cast to float32; normalize = (x - mean) / std with mean and
 * std cast to float32 and float32 arithmetic (numpy). Each step is assigned to a float, which rounds it to
 * float even where C would evaluate float expressions in wider precision. */
void preprocess_write_frame(const vkvlm_preprocess_config *cfg, const vkvlm_image *frame, float *dst) {
    size_t plane = (size_t)frame->width * (size_t)frame->height;
    float mean[3], std[3], lut[3][256];
    for (int c = 0; c < 3; c++) {
        mean[c] = (float)cfg->image_mean[c];
        std[c] = (float)cfg->image_std[c];
        for (int u = 0; u < 256; u++) {
            float v = cfg->do_rescale ? (float)((double)u * cfg->rescale_factor) : (float)u;
            if (cfg->do_normalize) {
                float centred = v - mean[c];
                v = centred / std[c];
            }
            lut[c][u] = v;
        }
    }
    for (size_t i = 0; i < plane; i++)
        for (int c = 0; c < 3; c++) dst[(size_t)c * plane + i] = lut[c][frame->rgb[i * 3 + (size_t)c]];
}

/* ---------------------------------------------------------------- entry point */

vkvlm_status vkvlm_preprocess_image(const vkvlm_preprocess_config *cfg, const vkvlm_image *image,
                                    vkvlm_preprocess_output **out, vkvlm_error *err) {
    if (!out) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_preprocess_image: out is NULL");
    *out = NULL;
    if (!cfg || !image || !image->rgb || image->width < 1 || image->height < 1)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_preprocess_image: NULL or empty argument");
    switch (cfg->kind) {
    case VKVLM_PREPROCESS_CLIP: return preprocess_clip_run(cfg, image, out, err);
    case VKVLM_PREPROCESS_IDEFICS3: return preprocess_idefics3_run(cfg, image, out, err);
    case VKVLM_PREPROCESS_NONE: break;
    }
    return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_preprocess_image: the config was not parsed");
}
