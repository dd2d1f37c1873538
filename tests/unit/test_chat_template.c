/* test_chat_template.c — built-in prompt templates and image placeholder expansion.
 *
 * Golden cases (VKVLM_GOLDEN_DIR): the template applied to case.json's question, expanded and encoded with
 * the case's tokenizer, gives case.json prompt_ids / expected/input_ids.bin exactly (LLaVA-1.5 with 16, 36,
 * 40 and 64 image tokens; SmolVLM unsplit). Without golden files: exact strings for Idefics3 tile grids
 * (transformers' _prompt_split_image), images without text, several images, raw prompts and every refusal.
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/chat_template.h"
#include "io/tokenizer.h"
#include "test.h"

/* The question every golden case asks. */
#define GOLDEN_QUESTION "What is shown in this image?"

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

static const char *golden_dir(void) { return getenv("VKVLM_GOLDEN_DIR"); }

/* Builds a prompt; returns the text (caller frees) or NULL with *status set. */
static char *build(const vkvlm_chat_desc *desc, vkvlm_status *status, vkvlm_error *err) {
    vkvlm_token_text out = {0};
    *status = vkvlm_chat_build_prompt(desc, &out, err);
    if (*status != VKVLM_OK) {
        vkvlm_token_text_free(&out);
        return NULL;
    }
    return out.data;
}

static char *repeat(const char *s, size_t n) {
    size_t len = strlen(s);
    char *out = malloc(len * n + 1);
    for (size_t k = 0; k < n; k++) memcpy(out + k * len, s, len);
    out[len * n] = '\0';
    return out;
}

/* Encodes text with the case's tokenizer and compares with expected/<file> (int32 LE) and, when given,
 * case.json prompt_ids. */
static void check_encoding(const char *case_name, const char *text, const char *file, int check_prompt_ids) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/checkpoint", golden_dir(), case_name);
    vkvlm_tokenizer *tok = NULL;
    vkvlm_error err = {0};
    TEST_CHECK_MSG(vkvlm_tokenizer_create_from_dir(path, &tok, &err) == VKVLM_OK, "%s", err.message);
    if (!tok) return;
    vkvlm_token_ids ids = {0};
    TEST_CHECK_INT(vkvlm_tokenizer_encode(tok, text, strlen(text), 1, &ids, &err), VKVLM_OK);

    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s/expected/%s", golden_dir(), case_name, file);
    char *bin = read_all(path, &len);
    TEST_CHECK_MSG(bin && len == ids.n * sizeof(int32_t) && memcmp(bin, ids.ids, len) == 0, "%s: ids differ from %s",
                   case_name, file);
    free(bin);

    if (check_prompt_ids) {
        snprintf(path, sizeof path, "%s/%s/case.json", golden_dir(), case_name);
        char *json = read_all(path, NULL);
        cJSON *root = json ? cJSON_Parse(json) : NULL;
        const cJSON *list = cJSON_GetObjectItem(root, "prompt_ids");
        int same = cJSON_IsArray(list) && (size_t)cJSON_GetArraySize(list) == ids.n;
        size_t k = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, list) same = same && k < ids.n && (int32_t)v->valuedouble == ids.ids[k++];
        TEST_CHECK_MSG(same, "%s: ids differ from case.json prompt_ids", case_name);
        cJSON_Delete(root);
        free(json);
    }
    vkvlm_token_ids_free(&ids);
    vkvlm_tokenizer_destroy(tok);
}

/* ---------------------------------------------------------------- golden cases */

static void check_llava_golden(const char *case_name, size_t image_tokens, const char *file, int check_prompt_ids) {
    vkvlm_chat_desc desc = {
        .family = VKVLM_CHAT_LLAVA15, .user_message = GOLDEN_QUESTION, .n_images = 1, .image_seq_len = image_tokens};
    vkvlm_status st;
    vkvlm_error err = {0};
    char *text = build(&desc, &st, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (!text) return;
    /* case.json prompt_text, "USER: <image>\nWhat is shown in this image? ASSISTANT:", expanded. */
    char *images = repeat("<image>", image_tokens);
    char expected[8192];
    snprintf(expected, sizeof expected, "USER: %s\n" GOLDEN_QUESTION " ASSISTANT:", images);
    TEST_CHECK_STR(text, expected);
    check_encoding(case_name, text, file, check_prompt_ids);
    free(images);
    free(text);
}

static void test_llava_golden(void) {
    if (!golden_dir()) {
        TEST_SKIP("VKVLM_GOLDEN_DIR is not set");
        return;
    }
    check_llava_golden("llava15_tiny_f32", 16, "input_ids.bin", 1);
    check_llava_golden("llava15_ficoco_l_f32", 36, "input_ids.bin", 1);
    check_llava_golden("llava15_ficoco_v_f32", 64, "input_ids.bin", 1);
    check_llava_golden("llava15_ficoco_v_f32", 40, "ficoco_v_input_ids.bin", 0);
}

static void test_smolvlm_golden(void) {
    if (!golden_dir()) {
        TEST_SKIP("VKVLM_GOLDEN_DIR is not set");
        return;
    }
    /* do_image_splitting is false in this case: one unsplit image of image_seq_len 16. */
    vkvlm_chat_image image = {0, 0};
    vkvlm_chat_desc desc = {.family = VKVLM_CHAT_IDEFICS3,
                            .user_message = GOLDEN_QUESTION,
                            .n_images = 1,
                            .images = &image,
                            .image_seq_len = 16};
    vkvlm_status st;
    vkvlm_error err = {0};
    char *text = build(&desc, &st, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (!text) return;
    char *images = repeat("<image>", 16);
    char expected[4096];
    snprintf(expected, sizeof expected,
             "<|im_start|>User:<fake_token_around_image><global-img>%s<fake_token_around_image>" GOLDEN_QUESTION
             "<end_of_utterance>\nAssistant:",
             images);
    TEST_CHECK_STR(text, expected);
    check_encoding("smolvlm_tiny_f16", text, "input_ids.bin", 1);
    free(images);
    free(text);
}

/* ---------------------------------------------------------------- exact strings */

static void check_text(const vkvlm_chat_desc *desc, const char *expected) {
    vkvlm_status st;
    vkvlm_error err = {0};
    char *text = build(desc, &st, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (text) TEST_CHECK_STR(text, expected);
    free(text);
}

static void test_idefics3_tiles(void) {
    /* transformers' _prompt_split_image for 2 rows x 3 columns, image_seq_len 2. */
    vkvlm_chat_image image = {2, 3};
    vkvlm_chat_desc desc = {
        .family = VKVLM_CHAT_IDEFICS3, .user_message = "Hi", .n_images = 1, .images = &image, .image_seq_len = 2};
#define F "<fake_token_around_image>"
#define I2 "<image><image>"
    check_text(&desc, "<|im_start|>User:" F "<row_1_col_1>" I2 F "<row_1_col_2>" I2 F "<row_1_col_3>" I2 "\n" F
                      "<row_2_col_1>" I2 F "<row_2_col_2>" I2 F "<row_2_col_3>" I2 "\n"
                      "\n" F "<global-img>" I2 F "Hi<end_of_utterance>\nAssistant:");
    TEST_CHECK_INT(vkvlm_chat_image_token_count(VKVLM_CHAT_IDEFICS3, image, 2), 14);

    /* A 1x1 grid is an unsplit image: the processor reports 0x0 when nothing was cut. */
    vkvlm_chat_image one = {1, 1};
    desc.images = &one;
    check_text(&desc, "<|im_start|>User:" F "<global-img>" I2 F "Hi<end_of_utterance>\nAssistant:");
    TEST_CHECK_INT(vkvlm_chat_image_token_count(VKVLM_CHAT_IDEFICS3, one, 64), 64);

    /* Two images, the second split 2x1; images==NULL would mean "all unsplit". */
    vkvlm_chat_image two[2] = {{0, 0}, {2, 1}};
    desc.n_images = 2;
    desc.images = two;
    desc.image_seq_len = 1;
    check_text(&desc, "<|im_start|>User:" F "<global-img><image>" F F "<row_1_col_1><image>\n" F
                      "<row_2_col_1><image>\n\n" F "<global-img><image>" F "Hi<end_of_utterance>\nAssistant:");
    desc.images = NULL;
    check_text(&desc, "<|im_start|>User:" F "<global-img><image>" F F "<global-img><image>" F
                      "Hi<end_of_utterance>\nAssistant:");

    /* No image: the role gets ": " instead of ":". */
    desc.n_images = 0;
    check_text(&desc, "<|im_start|>User: Hi<end_of_utterance>\nAssistant:");
#undef F
#undef I2
}

static void test_idefics3_tiles_tokenize(void) {
    if (!golden_dir()) {
        TEST_SKIP("VKVLM_GOLDEN_DIR is not set");
        return;
    }
    /* The tiny SmolVLM tokenizer has the tile tokens of a 2x2 grid: every placeholder is one id. */
    char path[1024];
    snprintf(path, sizeof path, "%s/smolvlm_tiny_f16/checkpoint", golden_dir());
    vkvlm_tokenizer *tok = NULL;
    vkvlm_error err = {0};
    TEST_CHECK_MSG(vkvlm_tokenizer_create_from_dir(path, &tok, &err) == VKVLM_OK, "%s", err.message);
    if (!tok) return;
    vkvlm_chat_image image = {2, 2};
    vkvlm_chat_desc desc = {
        .family = VKVLM_CHAT_IDEFICS3, .user_message = "", .n_images = 1, .images = &image, .image_seq_len = 3};
    vkvlm_token_text text = {0};
    TEST_CHECK_INT(vkvlm_chat_build_prompt(&desc, &text, &err), VKVLM_OK);
    vkvlm_token_ids ids = {0};
    TEST_CHECK_INT(vkvlm_tokenizer_encode(tok, text.data, text.len, 1, &ids, &err), VKVLM_OK);
    int32_t fake = vkvlm_tokenizer_token_id(tok, "<fake_token_around_image>");
    int32_t img = vkvlm_tokenizer_token_id(tok, "<image>");
    int32_t glob = vkvlm_tokenizer_token_id(tok, "<global-img>");
    int32_t nl = vkvlm_tokenizer_token_id(tok, "\xC4\x8A"); /* "Ċ" = "\n" */
    int32_t r11 = vkvlm_tokenizer_token_id(tok, "<row_1_col_1>"), r12 = vkvlm_tokenizer_token_id(tok, "<row_1_col_2>");
    int32_t r21 = vkvlm_tokenizer_token_id(tok, "<row_2_col_1>"), r22 = vkvlm_tokenizer_token_id(tok, "<row_2_col_2>");
    int32_t body[] = {fake, r11,  img, img, img, fake, r12, img, img,  img,  nl,  fake, r21, img, img,
                      img,  fake, r22, img, img, img,  nl,  nl,  fake, glob, img, img,  img, fake};
    size_t nbody = sizeof body / sizeof body[0];
    /* <|im_start|> U s er : then the image block, then <end_of_utterance> \n Assistant: */
    TEST_CHECK(ids.n > 5 + nbody);
    if (ids.n > 5 + nbody) {
        TEST_CHECK_INT(ids.ids[0], vkvlm_tokenizer_bos_id(tok));
        TEST_CHECK(memcmp(ids.ids + 5, body, sizeof body) == 0);
        TEST_CHECK_INT(ids.ids[5 + nbody], vkvlm_tokenizer_eos_id(tok));
    }
    size_t images = 0;
    for (size_t k = 0; k < ids.n; k++) images += ids.ids[k] == img;
    TEST_CHECK_INT(images, vkvlm_chat_image_token_count(VKVLM_CHAT_IDEFICS3, image, 3));
    vkvlm_token_ids_free(&ids);
    vkvlm_token_text_free(&text);
    vkvlm_tokenizer_destroy(tok);
}

static void test_llava_variants(void) {
    vkvlm_chat_desc desc = {.family = VKVLM_CHAT_LLAVA15, .user_message = "Hi", .image_seq_len = 2};
    check_text(&desc, "USER: Hi ASSISTANT:");
    desc.n_images = 2;
    check_text(&desc, "USER: <image><image>\n<image><image>\nHi ASSISTANT:");
    desc.image_token = "<img>";
    desc.n_images = 1;
    check_text(&desc, "USER: <img><img>\nHi ASSISTANT:");
    /* Real llava-1.5: 576 tokens per image. */
    desc.image_token = NULL;
    desc.image_seq_len = 576;
    vkvlm_status st;
    vkvlm_error err = {0};
    char *text = build(&desc, &st, &err);
    size_t count = 0;
    for (const char *p = text ? strstr(text, "<image>") : NULL; p; p = strstr(p + 7, "<image>")) count++;
    TEST_CHECK_INT(count, 576);
    free(text);
    vkvlm_chat_image whole = {0, 0};
    TEST_CHECK_INT(vkvlm_chat_image_token_count(VKVLM_CHAT_LLAVA15, whole, 576), 576);
}

static void test_raw_prompt(void) {
    vkvlm_chat_desc desc = {.family = VKVLM_CHAT_LLAVA15,
                            .raw_prompt = "<image>\nDescribe.",
                            .user_message = "ignored",
                            .n_images = 1,
                            .image_seq_len = 3};
    check_text(&desc, "<image><image><image>\nDescribe.");
    desc.family = VKVLM_CHAT_IDEFICS3;
    desc.image_seq_len = 1;
    check_text(&desc, "<fake_token_around_image><global-img><image><fake_token_around_image>\nDescribe.");
    /* No template at all. */
    desc.raw_prompt = "plain text";
    desc.n_images = 0;
    check_text(&desc, "plain text");
    desc.raw_prompt = "";
    check_text(&desc, "");
}

static void check_refused(const vkvlm_chat_desc *desc, vkvlm_status status, const char *mention) {
    vkvlm_token_text out = {0};
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_chat_build_prompt(desc, &out, &err), status);
    TEST_CHECK_INT(err.status, status);
    TEST_CHECK_MSG(strstr(err.message, mention) != NULL, "\"%s\" lacks \"%s\"", err.message, mention);
    TEST_CHECK(out.len == 0);
    vkvlm_token_text_free(&out);
}

static void test_refusals(void) {
    vkvlm_chat_desc desc = {.user_message = "Hi", .n_images = 1, .image_seq_len = 4};
    check_refused(&desc, VKVLM_ERR_USAGE, "no model family");
    desc.family = VKVLM_CHAT_LLAVA15;
    desc.image_seq_len = 0;
    check_refused(&desc, VKVLM_ERR_USAGE, "image_seq_len 0");
    desc.image_seq_len = 1u << 20;
    check_refused(&desc, VKVLM_ERR_LIMIT, "image_seq_len");
    desc.image_seq_len = 4;
    /* The placeholder count must match the images: raw prompts with too few, too many, or already expanded. */
    desc.raw_prompt = "Describe.";
    check_refused(&desc, VKVLM_ERR_USAGE, "raw prompt has 0 \"<image>\" placeholders but 1 image was given");
    desc.raw_prompt = "<image><image>";
    check_refused(&desc, VKVLM_ERR_USAGE, "has 2 \"<image>\" placeholders but 1 image");
    desc.raw_prompt = NULL;
    desc.user_message = "look: <image>";
    check_refused(&desc, VKVLM_ERR_USAGE, "prompt has 2");
    desc.user_message = "Hi";
    vkvlm_chat_image split = {2, 2};
    desc.images = &split;
    check_refused(&desc, VKVLM_ERR_USAGE, "LLaVA-1.5 takes whole images");
    desc.family = VKVLM_CHAT_IDEFICS3;
    vkvlm_chat_image bad = {2, 0};
    desc.images = &bad;
    check_refused(&desc, VKVLM_ERR_USAGE, "2x0 tile grid");
    vkvlm_chat_image huge = {100, 100};
    desc.images = &huge;
    check_refused(&desc, VKVLM_ERR_USAGE, "100x100");

    /* A failed build leaves earlier text in the buffer as it was. */
    vkvlm_token_text out = {0};
    vkvlm_error err = {0};
    vkvlm_token_text_append(&out, "keep", 4);
    desc.images = &bad;
    TEST_CHECK_INT(vkvlm_chat_build_prompt(&desc, &out, &err), VKVLM_ERR_USAGE);
    TEST_CHECK_STR(out.data, "keep");
    vkvlm_token_text_free(&out);
}

static void test_family_names(void) {
    TEST_CHECK_INT(vkvlm_chat_family_from_model_type("llava"), VKVLM_CHAT_LLAVA15);
    TEST_CHECK_INT(vkvlm_chat_family_from_model_type("idefics3"), VKVLM_CHAT_IDEFICS3);
    TEST_CHECK_INT(vkvlm_chat_family_from_model_type("smolvlm"), VKVLM_CHAT_IDEFICS3);
    TEST_CHECK_INT(vkvlm_chat_family_from_model_type("qwen2_vl"), VKVLM_CHAT_FAMILY_UNSET);
    TEST_CHECK_INT(vkvlm_chat_family_from_model_type(NULL), VKVLM_CHAT_FAMILY_UNSET);
    vkvlm_chat_desc d = vkvlm_chat_desc_defaults(NULL);
    TEST_CHECK_STR(d.image_token, "<image>");
    TEST_CHECK_STR(d.user_message, "");
    TEST_CHECK(d.raw_prompt == NULL && d.n_images == 0 && d.family == VKVLM_CHAT_FAMILY_UNSET);
}

int main(void) {
    TEST_RUN(test_llava_golden);
    TEST_RUN(test_smolvlm_golden);
    TEST_RUN(test_idefics3_tiles);
    TEST_RUN(test_idefics3_tiles_tokenize);
    TEST_RUN(test_llava_variants);
    TEST_RUN(test_raw_prompt);
    TEST_RUN(test_refusals);
    TEST_RUN(test_family_names);
    return test_finish();
}
