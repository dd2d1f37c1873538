/* test_preprocess.c — Hugging Face-exact preprocessing (src/io/preprocess*.c).
 *
 * The judge is the golden data: every golden case that stores pixel_values (computed by transformers 4.47.1)
 * must come out bit-identical (memcmp; the max |diff| is printed on failure). tests/data/pillow_refs.txt adds
 * what the golden cases do not reach: Idefics3 tile splitting, CLIP crops larger than the image, other filters
 * and shapes (hashes from tests/data/gen_pillow_refs.py, whose transcription of transformers reproduces the
 * golden pixel_values bit for bit). Then the config parser's defaults and refusals.
 */
#define _POSIX_C_SOURCE 200809L

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "io/preprocess.h"
#include "pillow_refs.h"
#include "test.h"

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)(len > 0 ? len : 0) + 1);
    *n = p ? fread(p, 1, (size_t)len, f) : 0;
    if (p) p[*n] = '\0';
    fclose(f);
    return p;
}

/* Compares float arrays bit for bit; on a mismatch prints where, and the largest |difference|. */
static void check_bits(const char *what, const float *got, const float *want, size_t n) {
    if (memcmp(got, want, n * sizeof *got) == 0) return;
    double max = 0;
    size_t first = n, worst = 0, count = 0;
    for (size_t i = 0; i < n; i++) {
        if (memcmp(&got[i], &want[i], sizeof *got) == 0) continue;
        count++;
        if (first == n) first = i;
        double d = fabs((double)got[i] - (double)want[i]);
        if (d > max) {
            max = d;
            worst = i;
        }
    }
    TEST_CHECK_MSG(0, "%s: %zu of %zu floats differ; first at %zu (%.9g vs %.9g); max |diff| %.3g at %zu", what, count,
                   n, first, (double)got[first], (double)want[first], max, worst);
}

/* One golden case: image <case>/image.png, config in <case>/<config_dir>, expected/pixel_values.bin with the
 * shape case.json gives. */
static void check_golden_case(const char *name, const char *config_dir, int pad, int seq_len) {
    const char *golden = getenv("VKVLM_GOLDEN_DIR");
    if (!golden || !*golden) {
        TEST_SKIP("VKVLM_GOLDEN_DIR is not set");
        return;
    }
    char path[4096], dir[4096];
    snprintf(path, sizeof path, "%s/%s/case.json", golden, name);
    size_t n = 0;
    char *json = slurp(path, &n);
    if (!json) {
        TEST_SKIP("%s: not found", path);
        return;
    }
    /* shape [1, 3, H, W] (or [1, tiles, 3, H, W]) from case.json */
    cJSON *root = cJSON_Parse(json);
    const cJSON *shape =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "tensors"), "pixel_values"), "shape");
    int dims = cJSON_GetArraySize(shape);
    TEST_CHECK(dims >= 3);
    long long expect_floats = 1;
    for (int i = 0; i < dims; i++) expect_floats *= (long long)cJSON_GetArrayItem(shape, i)->valuedouble;
    int want_h = dims >= 3 ? (int)cJSON_GetArrayItem(shape, dims - 2)->valuedouble : 0;
    int want_w = dims >= 3 ? (int)cJSON_GetArrayItem(shape, dims - 1)->valuedouble : 0;
    cJSON_Delete(root);
    free(json);

    vkvlm_preprocess_config cfg;
    vkvlm_error err = {0};
    snprintf(dir, sizeof dir, "%s/%s/%s", golden, name, config_dir);
    TEST_CHECK_MSG(vkvlm_preprocess_config_load(&cfg, dir, &err) == VKVLM_OK, "%s", err.message);
    if (pad) vkvlm_preprocess_config_set_pad_to_square(&cfg);
    if (seq_len) TEST_CHECK_INT(cfg.image_seq_len, seq_len);

    vkvlm_image *img = NULL;
    snprintf(path, sizeof path, "%s/%s/image.png", golden, name);
    TEST_CHECK_MSG(vkvlm_image_load(path, NULL, &img, &err) == VKVLM_OK, "%s", err.message);
    vkvlm_preprocess_output *out = NULL;
    if (img) TEST_CHECK_MSG(vkvlm_preprocess_image(&cfg, img, &out, &err) == VKVLM_OK, "%s", err.message);

    snprintf(path, sizeof path, "%s/%s/expected/pixel_values.bin", golden, name);
    char *want = slurp(path, &n);
    TEST_CHECK_MSG(want != NULL, "%s: cannot read", path);
    if (out && want) {
        size_t floats = (size_t)out->tiles * (size_t)out->channels * (size_t)out->height * (size_t)out->width;
        TEST_CHECK_INT(out->channels, 3);
        TEST_CHECK_INT(out->height, want_h);
        TEST_CHECK_INT(out->width, want_w);
        TEST_CHECK_INT(floats, expect_floats);
        TEST_CHECK_INT(n, expect_floats * 4);
        if (floats * 4 == n) check_bits(name, out->pixels, (const float *)want, floats);
    }
    free(want);
    vkvlm_preprocess_output_destroy(out);
    vkvlm_image_destroy(img);
}

static void test_golden_llava15_tiny(void) { check_golden_case("llava15_tiny_f32", "checkpoint", 0, 16); }
static void test_golden_llava15_ficoco_v(void) { check_golden_case("llava15_ficoco_v_f32", "checkpoint", 0, 64); }
static void test_golden_llava15_ficoco_l(void) { check_golden_case("llava15_ficoco_l_f32", "checkpoint", 0, 36); }
/* ProxyV: original-LLaVA "pad" (expand2square, int(255 * mean)), then the tower folder's CLIP processor */
static void test_golden_proxyv_pad(void) { check_golden_case("proxyv_tiny_f32", "clip-vit-tiny-patch14-112", 1, 0); }

static void test_golden_smolvlm(void) {
    check_golden_case("smolvlm_tiny_f16", "checkpoint", 0, 16);
    const char *golden = getenv("VKVLM_GOLDEN_DIR");
    if (!golden || !*golden) return;
    /* no splitting: one global frame, and no <row_r_col_c> grid for the prompt */
    char dir[4096], path[4096];
    snprintf(dir, sizeof dir, "%s/smolvlm_tiny_f16/checkpoint", golden);
    snprintf(path, sizeof path, "%s/smolvlm_tiny_f16/image.png", golden);
    vkvlm_preprocess_config cfg;
    vkvlm_error err = {0};
    vkvlm_image *img = NULL;
    vkvlm_preprocess_output *out = NULL;
    if (vkvlm_preprocess_config_load(&cfg, dir, &err) == VKVLM_OK && vkvlm_image_load(path, NULL, &img, &err) == VKVLM_OK &&
        vkvlm_preprocess_image(&cfg, img, &out, &err) == VKVLM_OK) {
        TEST_CHECK_INT(cfg.kind, VKVLM_PREPROCESS_IDEFICS3);
        TEST_CHECK_INT(cfg.do_image_splitting, 0);
        TEST_CHECK_INT(out->tiles, 1);
        TEST_CHECK_INT(out->rows, 0);
        TEST_CHECK_INT(out->cols, 0);
    } else {
        TEST_CHECK_MSG(0, "%s", err.message);
    }
    vkvlm_preprocess_output_destroy(out);
    vkvlm_image_destroy(img);
}

/* ---------------------------------------------------------------- generated references */

static vkvlm_image *pattern_image(int w, int h, int pattern) {
    vkvlm_image *img = NULL;
    vkvlm_error err = {0};
    if (vkvlm_image_create(w, h, &img, &err) != VKVLM_OK) return NULL;
    uint8_t *p = test_pattern(w, h, 3, pattern);
    memcpy(img->rgb, p, (size_t)w * (size_t)h * 3);
    free(p);
    return img;
}

static uint64_t output_hash(const vkvlm_preprocess_output *out) {
    return test_fnv1a64(out->pixels, (size_t)out->tiles * 3 * (size_t)out->height * (size_t)out->width * sizeof(float));
}

static void test_clip_references(void) {
    int count = 0;
    char *lines = test_refs_lines("clip", &count);
    if (!lines) {
        TEST_SKIP("tests/data/pillow_refs.txt not found (VKVLM_SOURCE_DIR unset?)");
        return;
    }
    TEST_CHECK(count >= 6);
    const char *line = lines;
    for (int i = 0; i < count; i++, line += strlen(line) + 1) {
        int w, h, s, ch, cw, f, pad, pat;
        unsigned long long want;
        if (sscanf(line, "clip %d %d %d %d %d %d %d %d %llx", &w, &h, &s, &ch, &cw, &f, &pad, &pat, &want) != 9) {
            TEST_CHECK_MSG(0, "bad line: %s", line);
            continue;
        }
        char json[512];
        snprintf(json, sizeof json,
                 "{\"image_processor_type\": \"CLIPImageProcessor\", \"size\": {\"shortest_edge\": %d}, "
                 "\"crop_size\": {\"height\": %d, \"width\": %d}, \"resample\": %d}",
                 s, ch, cw, f);
        vkvlm_preprocess_config cfg;
        vkvlm_error err = {0};
        TEST_CHECK_MSG(vkvlm_preprocess_config_parse(&cfg, json, NULL, "test", &err) == VKVLM_OK, "%s", err.message);
        if (pad) vkvlm_preprocess_config_set_pad_to_square(&cfg);
        vkvlm_image *img = pattern_image(w, h, pat);
        vkvlm_preprocess_output *out = NULL;
        TEST_CHECK_MSG(vkvlm_preprocess_image(&cfg, img, &out, &err) == VKVLM_OK, "%s: %s", line, err.message);
        if (out) {
            TEST_CHECK_INT(out->tiles, 1);
            TEST_CHECK_INT(out->height, ch);
            TEST_CHECK_INT(out->width, cw);
            TEST_CHECK_MSG(output_hash(out) == want, "%s: hash %016llx", line, (unsigned long long)output_hash(out));
        }
        vkvlm_preprocess_output_destroy(out);
        vkvlm_image_destroy(img);
    }
    free(lines);
}

static void test_idefics3_references(void) {
    int count = 0;
    char *lines = test_refs_lines("idefics3", &count);
    if (!lines) {
        TEST_SKIP("tests/data/pillow_refs.txt not found (VKVLM_SOURCE_DIR unset?)");
        return;
    }
    TEST_CHECK(count >= 8);
    const char *line = lines;
    for (int i = 0; i < count; i++, line += strlen(line) + 1) {
        int w, h, longest, m, split, f, pat, rows, cols, tiles;
        unsigned long long want;
        if (sscanf(line, "idefics3 %d %d %d %d %d %d %d %d %d %d %llx", &w, &h, &longest, &m, &split, &f, &pat, &rows,
                   &cols, &tiles, &want) != 11) {
            TEST_CHECK_MSG(0, "bad line: %s", line);
            continue;
        }
        char json[512];
        snprintf(json, sizeof json,
                 "{\"image_processor_type\": \"Idefics3ImageProcessor\", \"size\": {\"longest_edge\": %d}, "
                 "\"max_image_size\": {\"longest_edge\": %d}, \"do_image_splitting\": %s, \"resample\": %d}",
                 longest, m, split ? "true" : "false", f);
        vkvlm_preprocess_config cfg;
        vkvlm_error err = {0};
        TEST_CHECK_MSG(vkvlm_preprocess_config_parse(&cfg, json, NULL, "test", &err) == VKVLM_OK, "%s", err.message);
        vkvlm_image *img = pattern_image(w, h, pat);
        vkvlm_preprocess_output *out = NULL;
        TEST_CHECK_MSG(vkvlm_preprocess_image(&cfg, img, &out, &err) == VKVLM_OK, "%s: %s", line, err.message);
        if (out) {
            TEST_CHECK_INT(out->rows, rows);
            TEST_CHECK_INT(out->cols, cols);
            TEST_CHECK_INT(out->tiles, tiles);
            TEST_CHECK_INT(out->height, m);
            TEST_CHECK_INT(out->width, m);
            TEST_CHECK_MSG(output_hash(out) == want, "%s: hash %016llx", line, (unsigned long long)output_hash(out));
        }
        vkvlm_preprocess_output_destroy(out);
        vkvlm_image_destroy(img);
    }
    free(lines);
}

/* ---------------------------------------------------------------- config */

static void test_config_defaults(void) {
    vkvlm_preprocess_config cfg;
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_preprocess_config_parse(&cfg, "{\"image_processor_type\": \"CLIPImageProcessor\"}", NULL, NULL,
                                                 &err),
                   VKVLM_OK);
    TEST_CHECK_INT(cfg.kind, VKVLM_PREPROCESS_CLIP);
    TEST_CHECK_INT(cfg.shortest_edge, 224);
    TEST_CHECK_INT(cfg.crop_height, 224);
    TEST_CHECK_INT(cfg.resample, VKVLM_RESAMPLE_BICUBIC);
    TEST_CHECK(cfg.do_resize && cfg.do_center_crop && cfg.do_rescale && cfg.do_normalize);
    TEST_CHECK(cfg.image_mean[0] == 0.48145466 && cfg.image_std[2] == 0.27577711);
    TEST_CHECK(cfg.rescale_factor == 1.0 / 255.0);
    TEST_CHECK_INT(cfg.image_seq_len, 0);

    TEST_CHECK_INT(vkvlm_preprocess_config_parse(&cfg, "{\"image_processor_type\": \"Idefics3ImageProcessor\"}", NULL,
                                                 NULL, &err),
                   VKVLM_OK);
    TEST_CHECK_INT(cfg.kind, VKVLM_PREPROCESS_IDEFICS3);
    TEST_CHECK_INT(cfg.longest_edge, 4 * 364);
    TEST_CHECK_INT(cfg.max_image_size, 364);
    TEST_CHECK_INT(cfg.do_image_splitting, 1);
    TEST_CHECK_INT(cfg.resample, VKVLM_RESAMPLE_LANCZOS);
    TEST_CHECK(cfg.image_mean[1] == 0.5 && cfg.image_std[1] == 0.5);

    /* legacy forms: feature_extractor_type, integer size and crop_size, scalar mean */
    TEST_CHECK_INT(vkvlm_preprocess_config_parse(&cfg,
                                                 "{\"feature_extractor_type\": \"CLIPFeatureExtractor\", \"size\": 336, "
                                                 "\"crop_size\": 300, \"image_mean\": 0.25, \"do_center_crop\": null}",
                                                 "{\"patch_size\": 14, \"vision_feature_select_strategy\": \"full\"}",
                                                 NULL, &err),
                   VKVLM_OK);
    TEST_CHECK_INT(cfg.shortest_edge, 336);
    TEST_CHECK_INT(cfg.crop_width, 300);
    TEST_CHECK_INT(cfg.do_center_crop, 0);
    TEST_CHECK(cfg.image_mean[0] == 0.25 && cfg.image_mean[2] == 0.25);
    TEST_CHECK_INT(cfg.image_seq_len, 0); /* no centre crop: the count depends on the image */

    /* LLaVA processor_config.json: 24 x 24 patches + CLS - CLS */
    TEST_CHECK_INT(vkvlm_preprocess_config_parse(&cfg,
                                                 "{\"image_processor_type\": \"CLIPImageProcessor\", \"crop_size\": "
                                                 "{\"height\": 336, \"width\": 336}}",
                                                 "{\"patch_size\": 14, \"num_additional_image_tokens\": 1, "
                                                 "\"vision_feature_select_strategy\": \"default\"}",
                                                 NULL, &err),
                   VKVLM_OK);
    TEST_CHECK_INT(cfg.image_seq_len, 576);
    vkvlm_preprocess_config_set_pad_to_square(&cfg);
    TEST_CHECK(cfg.pad_to_square && cfg.pad_color[0] == 122 && cfg.pad_color[1] == 116 && cfg.pad_color[2] == 104);
}

static void expect_config_error(const char *pre, const char *proc, vkvlm_status want, const char *needle) {
    vkvlm_preprocess_config cfg;
    vkvlm_error err = {0};
    vkvlm_status st = vkvlm_preprocess_config_parse(&cfg, pre, proc, "ckpt", &err);
    TEST_CHECK_MSG(st == want, "%s: status %s (%s)", pre, vkvlm_status_text(st), err.message);
    TEST_CHECK_MSG(strstr(err.message, needle) != NULL && strstr(err.message, "ckpt") != NULL,
                   "message lacks \"%s\": %s", needle, err.message);
    TEST_CHECK_INT(cfg.kind, VKVLM_PREPROCESS_NONE);
}

static void test_config_errors(void) {
    expect_config_error("{\"image_processor_type\": ", NULL, VKVLM_ERR_FORMAT, "invalid JSON");
    expect_config_error("[1, 2]", NULL, VKVLM_ERR_FORMAT, "not a JSON object");
    expect_config_error("{\"size\": 3}", NULL, VKVLM_ERR_FORMAT, "image_processor_type");
    expect_config_error("{\"image_processor_type\": \"SiglipImageProcessor\"}", NULL, VKVLM_ERR_UNSUPPORTED,
                        "SiglipImageProcessor");
    expect_config_error("{\"image_processor_type\": \"CLIPImageProcessor\", \"do_resize\": 3}", NULL, VKVLM_ERR_FORMAT,
                        "\"do_resize\" must be true or false");
    expect_config_error("{\"image_processor_type\": \"CLIPImageProcessor\", \"resample\": 9}", NULL, VKVLM_ERR_FORMAT,
                        "\"resample\"");
    expect_config_error("{\"image_processor_type\": \"CLIPImageProcessor\", \"size\": {\"shortest_edge\": 0}}", NULL,
                        VKVLM_ERR_FORMAT, "\"shortest_edge\"");
    expect_config_error("{\"image_processor_type\": \"CLIPImageProcessor\", \"size\": {\"longest_edge\": 9}}", NULL,
                        VKVLM_ERR_FORMAT, "\"size\"");
    expect_config_error("{\"image_processor_type\": \"CLIPImageProcessor\", \"crop_size\": {\"height\": 2.5, "
                        "\"width\": 3}}",
                        NULL, VKVLM_ERR_FORMAT, "whole number");
    expect_config_error("{\"image_processor_type\": \"CLIPImageProcessor\", \"image_mean\": [0.5, 0.5]}", NULL,
                        VKVLM_ERR_FORMAT, "list of 3 numbers");
    expect_config_error("{\"image_processor_type\": \"CLIPImageProcessor\", \"image_std\": [0.5, 0, 0.5]}", NULL,
                        VKVLM_ERR_FORMAT, "zero");
    expect_config_error("{\"image_processor_type\": \"Idefics3ImageProcessor\", \"max_image_size\": 512}", NULL,
                        VKVLM_ERR_FORMAT, "max_image_size");
    expect_config_error("{\"image_processor_type\": \"Idefics3ImageProcessor\"}", "{\"image_seq_len\": \"64\"}",
                        VKVLM_ERR_FORMAT, "processor_config.json");

    vkvlm_preprocess_config cfg;
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_preprocess_config_load(&cfg, "/nonexistent/checkpoint", &err), VKVLM_ERR_IO);
    TEST_CHECK(strstr(err.message, "/nonexistent/checkpoint/preprocessor_config.json") != NULL);
}

static void test_preprocess_errors(void) {
    vkvlm_preprocess_config cfg;
    memset(&cfg, 0, sizeof cfg);
    vkvlm_error err = {0};
    vkvlm_image *img = pattern_image(4, 4, 0);
    vkvlm_preprocess_output *out = (vkvlm_preprocess_output *)1;
    TEST_CHECK_INT(vkvlm_preprocess_image(&cfg, img, &out, &err), VKVLM_ERR_USAGE); /* never parsed */
    TEST_CHECK(out == NULL);
    vkvlm_image_destroy(img);
    vkvlm_preprocess_output_destroy(NULL);

    /* a 1 x 60000 strip at shortest edge 336 would be 336 x 20160000: refused, not allocated */
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_preprocess_config_parse(&cfg, "{\"image_processor_type\": \"CLIPImageProcessor\", \"size\": "
                                                 "{\"shortest_edge\": 336}}",
                                                 NULL, NULL, &err),
                   VKVLM_OK);
    img = pattern_image(1, 60000, 2);
    TEST_CHECK_INT(vkvlm_preprocess_image(&cfg, img, &out, &err), VKVLM_ERR_LIMIT);
    TEST_CHECK_MSG(strstr(err.message, "336 x 20160000") != NULL, "%s", err.message);
    TEST_CHECK(out == NULL);
    vkvlm_image_destroy(img);
}

int main(void) {
    TEST_RUN(test_golden_llava15_tiny);
    TEST_RUN(test_golden_llava15_ficoco_v);
    TEST_RUN(test_golden_llava15_ficoco_l);
    TEST_RUN(test_golden_proxyv_pad);
    TEST_RUN(test_golden_smolvlm);
    TEST_RUN(test_clip_references);
    TEST_RUN(test_idefics3_references);
    TEST_RUN(test_config_defaults);
    TEST_RUN(test_config_errors);
    TEST_RUN(test_preprocess_errors);
    return test_finish();
}
