/* test_tokenizer.c — tokenizer.json loading, encoding and decoding against Hugging Face's results.
 *
 * Golden cases (VKVLM_GOLDEN_DIR): every case's prompt encodes to case.json prompt_ids and
 * expected/input_ids.bin exactly. Fixed strings: ids checked against tokenizers (cross-checked with
 * tokenizers.js 0.2.0, which agrees on every encode here). Round trips: tests/data/multilingual.txt
 * (VKVLM_SOURCE_DIR) through both golden tokenizers, whole and line by line, plus the streaming decoder.
 * A small inline tokenizer.json covers Metaspace, added-token flags (single_word, lstrip, rstrip,
 * normalized), fused unk and the [a, b] merge format; broken files must fail with the right status.
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/byte_level.h"
#include "io/tokenizer.h"
#include "io/unicode.h"
#include "test.h"

/* ---------------------------------------------------------------- helpers */

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

static vkvlm_tokenizer *load_golden(const char *name) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s/checkpoint", golden_dir(), name);
    vkvlm_tokenizer *tok = NULL;
    vkvlm_error err = {0};
    vkvlm_status st = vkvlm_tokenizer_create_from_dir(dir, &tok, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    return tok;
}

static cJSON *load_case(const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/case.json", golden_dir(), name);
    char *text = read_all(path, NULL);
    TEST_CHECK_MSG(text != NULL, "cannot read %s", path);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    return root;
}

static int ids_equal_json(const vkvlm_token_ids *ids, const cJSON *list) {
    if (!cJSON_IsArray(list) || (size_t)cJSON_GetArraySize(list) != ids->n) return 0;
    size_t k = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, list) if ((int32_t)v->valuedouble != ids->ids[k++]) return 0;
    return 1;
}

static int ids_equal_bin(const vkvlm_token_ids *ids, const char *case_name, const char *file) {
    char path[1024];
    size_t len;
    snprintf(path, sizeof path, "%s/%s/expected/%s", golden_dir(), case_name, file);
    char *data = read_all(path, &len);
    int ok = data && len == ids->n * sizeof(int32_t) && memcmp(data, ids->ids, len) == 0;
    free(data);
    return ok;
}

static int ids_equal(const vkvlm_token_ids *ids, const int32_t *expected, size_t n) {
    return ids->n == n && (n == 0 || memcmp(ids->ids, expected, n * sizeof *expected) == 0);
}

static void print_ids(const char *what, const vkvlm_token_ids *ids) {
    fprintf(stderr, "  %s:", what);
    for (size_t k = 0; k < ids->n; k++) fprintf(stderr, " %d", ids->ids[k]);
    fputc('\n', stderr);
}

/* Replaces every "<image>" in text with count copies of it (LlavaProcessor's expansion). */
static char *expand_image(const char *text, size_t count) {
    size_t cap = strlen(text) + 1 + count * 8 * 4;
    char *out = malloc(cap), *o = out;
    for (const char *p = text; *p;) {
        if (strncmp(p, "<image>", 7) == 0) {
            for (size_t k = 0; k < count; k++) o += sprintf(o, "<image>");
            p += 7;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

/* ---------------------------------------------------------------- golden prompts */

/* LLaVA cases: case.json prompt_text with <image> expanded to num_image_tokens copies, BOS added. */
static void check_llava_case(const char *name, const char *ids_file, int image_tokens) {
    vkvlm_tokenizer *tok = load_golden(name);
    cJSON *c = load_case(name);
    if (!tok || !c) {
        vkvlm_tokenizer_destroy(tok);
        cJSON_Delete(c);
        return;
    }
    const cJSON *prompt = cJSON_GetObjectItem(c, "prompt_text");
    int n = image_tokens ? image_tokens : cJSON_GetObjectItem(c, "num_image_tokens")->valueint;
    char *text = expand_image(prompt->valuestring, (size_t)n);
    vkvlm_token_ids ids = {0};
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_tokenizer_encode(tok, text, strlen(text), 1, &ids, &err), VKVLM_OK);
    if (!image_tokens)
        TEST_CHECK_MSG(ids_equal_json(&ids, cJSON_GetObjectItem(c, "prompt_ids")), "%s prompt_ids", name);
    TEST_CHECK_MSG(ids_equal_bin(&ids, name, ids_file), "%s expected/%s", name, ids_file);
    if (test_g.checks_failed) print_ids("got", &ids);
    vkvlm_token_ids_free(&ids);
    free(text);
    cJSON_Delete(c);
    vkvlm_tokenizer_destroy(tok);
}

static void test_golden_llava_prompts(void) {
    if (!golden_dir()) {
        TEST_SKIP("VKVLM_GOLDEN_DIR is not set");
        return;
    }
    check_llava_case("llava15_tiny_f32", "input_ids.bin", 0);
    check_llava_case("llava15_ficoco_v_f32", "input_ids.bin", 0);
    check_llava_case("llava15_ficoco_v_f32", "ficoco_v_input_ids.bin", 40);
    check_llava_case("llava15_ficoco_l_f32", "input_ids.bin", 0);
}

static void test_golden_smolvlm_prompt(void) {
    if (!golden_dir()) {
        TEST_SKIP("VKVLM_GOLDEN_DIR is not set");
        return;
    }
    vkvlm_tokenizer *tok = load_golden("smolvlm_tiny_f16");
    cJSON *c = load_case("smolvlm_tiny_f16");
    if (!tok || !c) {
        vkvlm_tokenizer_destroy(tok);
        cJSON_Delete(c);
        return;
    }
    /* case.json abbreviates the 16 image tokens as "<image>*16". */
    const char *shorthand = cJSON_GetObjectItem(c, "prompt_text")->valuestring;
    const char *star = strstr(shorthand, "<image>*16");
    TEST_CHECK(star != NULL);
    if (star) {
        char text[2048];
        int head = (int)(star - shorthand);
        char images[16 * 7 + 1] = "";
        for (int k = 0; k < 16; k++) strcat(images, "<image>");
        snprintf(text, sizeof text, "%.*s%s%s", head, shorthand, images, star + strlen("<image>*16"));
        vkvlm_token_ids ids = {0};
        vkvlm_error err = {0};
        /* SmolVLM's post-processor is ByteLevel: no BOS either way. */
        TEST_CHECK_INT(vkvlm_tokenizer_encode(tok, text, strlen(text), 1, &ids, &err), VKVLM_OK);
        TEST_CHECK(ids_equal_json(&ids, cJSON_GetObjectItem(c, "prompt_ids")));
        TEST_CHECK(ids_equal_bin(&ids, "smolvlm_tiny_f16", "input_ids.bin"));
        if (test_g.checks_failed) print_ids("got", &ids);
        vkvlm_token_ids_free(&ids);
    }
    cJSON_Delete(c);
    vkvlm_tokenizer_destroy(tok);
}

/* ProxyV: LLaVA's tokenizer_image_token — chunks around <image> encoded with BOS each, only the first BOS
 * kept, -200 between them. Exercises the legacy-config Llama tokenizer without an <image> token. */
static void test_golden_proxyv_chunks(void) {
    if (!golden_dir()) {
        TEST_SKIP("VKVLM_GOLDEN_DIR is not set");
        return;
    }
    vkvlm_tokenizer *tok = load_golden("proxyv_tiny_f32");
    if (!tok) return;
    vkvlm_token_ids ids = {0}, second = {0};
    vkvlm_error err = {0};
    const char *a = "USER: ", *b = "\nWhat is shown in this image? ASSISTANT:";
    TEST_CHECK_INT(vkvlm_tokenizer_encode(tok, a, strlen(a), 1, &ids, &err), VKVLM_OK);
    int32_t placeholder = -200;
    TEST_CHECK_INT(vkvlm_token_ids_append(&ids, &placeholder, 1), VKVLM_OK);
    TEST_CHECK_INT(vkvlm_tokenizer_encode(tok, b, strlen(b), 1, &second, &err), VKVLM_OK);
    TEST_CHECK(second.n > 0 && second.ids[0] == vkvlm_tokenizer_bos_id(tok));
    if (second.n > 0) TEST_CHECK_INT(vkvlm_token_ids_append(&ids, second.ids + 1, second.n - 1), VKVLM_OK);
    TEST_CHECK(ids_equal_bin(&ids, "proxyv_tiny_f32", "input_ids.bin"));
    if (test_g.checks_failed) print_ids("got", &ids);
    vkvlm_token_ids_free(&ids);
    vkvlm_token_ids_free(&second);
    vkvlm_tokenizer_destroy(tok);
}

/* ---------------------------------------------------------------- fixed strings */

typedef struct known_case {
    const char *text; /* input */
    int add_special;  /* post-processor on */
    int32_t ids[24];  /* expected ids */
    size_t n;         /* how many */
} known_case;

static void check_known(vkvlm_tokenizer *tok, const known_case *cases, size_t count) {
    for (size_t k = 0; k < count; k++) {
        vkvlm_token_ids ids = {0};
        vkvlm_error err = {0};
        TEST_CHECK_INT(
            vkvlm_tokenizer_encode(tok, cases[k].text, strlen(cases[k].text), cases[k].add_special, &ids, &err),
            VKVLM_OK);
        TEST_CHECK_MSG(ids_equal(&ids, cases[k].ids, cases[k].n), "encode \"%s\"", cases[k].text);
        if (!ids_equal(&ids, cases[k].ids, cases[k].n)) print_ids("got", &ids);
        vkvlm_token_ids_free(&ids);
    }
}

static void test_llava_known_ids(void) {
    if (!golden_dir()) {
        TEST_SKIP("VKVLM_GOLDEN_DIR is not set");
        return;
    }
    vkvlm_tokenizer *tok = load_golden("llava15_tiny_f32");
    if (!tok) return;
    /* Ids reasoned from the vocab: 294 = "▁", byte tokens are 3 + byte ("H" 0x48 -> 75, "\t" -> 12,
     * 中 = E4 B8 AD -> 231 187 176), "ello" = 335 by merges; "a  b" -> "▁a▁" (300) "▁" "b". */
    static const known_case cases[] = {
        {"Hello world", 1, {1, 294, 75, 335, 294, 292, 286, 288, 283, 276}, 10},
        {"Hello world", 0, {294, 75, 335, 294, 292, 286, 288, 283, 276}, 9},
        {" leading", 1, {1, 294, 294, 283, 277, 273, 276, 281, 285, 279}, 10},
        {"a  b", 1, {1, 300, 294, 274}, 4},
        {"\xE4\xB8\xAD\xE6\x96\x87", 1, {1, 294, 231, 187, 176, 233, 153, 138}, 8},
        {"x\ty", 1, {1, 294, 123, 12, 293}, 5},
        {"12345", 1, {1, 294, 52, 53, 54, 55, 56}, 7},
        {"it's", 1, {1, 297, 290, 42, 289}, 5},
        {"", 1, {1}, 1},
        {"", 0, {0}, 0},
        /* Added tokens split first; the normalizer's "▁" is prepended to each piece between them. */
        {"<image>\n", 1, {1, 353, 294, 13}, 4},
        {"<s><image><pad>", 0, {1, 353, 354}, 3},
        {"<imag", 0, {294, 63, 342}, 3}, /* "<" has no piece: byte <0x3C>; "imag" is one */
    };
    check_known(tok, cases, sizeof cases / sizeof cases[0]);
    vkvlm_tokenizer_destroy(tok);
}

static void test_smolvlm_known_ids(void) {
    if (!golden_dir()) {
        TEST_SKIP("VKVLM_GOLDEN_DIR is not set");
        return;
    }
    vkvlm_tokenizer *tok = load_golden("smolvlm_tiny_f16");
    if (!tok) return;
    /* Byte-level: 33 = "Ġ" (space), "a  b" splits as "a", " ", " b" (\s+(?!\S) gives back the last space),
     * digits are isolated one by one, contractions "'s" / "'ll" are their own pieces. */
    static const known_case cases[] = {
        {"Hello world", 1, {73, 288, 33, 120, 112, 115, 109, 101}, 8},
        {" leading", 1, {33, 109, 102, 98, 101, 106, 111, 104}, 8},
        {"a  b", 1, {98, 33, 267}, 3},
        {"\xE4\xB8\xAD\xE6\x96\x87", 1, {229, 185, 174, 231, 151, 136}, 6},
        {"x\ty", 1, {121, 10, 122}, 3},
        {"12345", 1, {50, 51, 52, 53, 54}, 5},
        {"it's", 1, {106, 117, 40, 116}, 4},
        {"you'll  see   ", 1, {122, 112, 118, 40, 109, 109, 33, 262, 102, 102, 33, 33, 33}, 13},
        {"<|im_start|>User:<image><end_of_utterance>", 1, {311, 86, 116, 286, 59, 314, 315}, 7},
        {"<row_1_col_2><global-img>", 1, {318, 316}, 2},
    };
    check_known(tok, cases, sizeof cases / sizeof cases[0]);
    vkvlm_tokenizer_destroy(tok);
}

/* ---------------------------------------------------------------- round trips */

/* encode -> decode must give the text back (neither corpus contains "▁" or an added token's text). */
static void check_round_trip(vkvlm_tokenizer *tok, const char *name, const char *text, size_t len) {
    for (int add_special = 0; add_special <= 1; add_special++) {
        vkvlm_token_ids ids = {0};
        vkvlm_token_text out = {0}, streamed = {0}, full = {0};
        vkvlm_error err = {0};
        TEST_CHECK_INT(vkvlm_tokenizer_encode(tok, text, len, add_special, &ids, &err), VKVLM_OK);
        TEST_CHECK_INT(vkvlm_tokenizer_decode(tok, ids.ids, ids.n, 1, &out, &err), VKVLM_OK);
        TEST_CHECK_MSG(out.len == len && memcmp(out.data, text, len) == 0, "%s: round trip of \"%.*s\" gave \"%s\"",
                       name, (int)(len > 60 ? 60 : len), text, out.data);
        /* Streaming, one id at a time, must add up to the full decode. */
        vkvlm_tokenizer_stream *s = NULL;
        TEST_CHECK_INT(vkvlm_tokenizer_stream_create(tok, 0, &s, &err), VKVLM_OK);
        for (size_t k = 0; s && k < ids.n; k++)
            TEST_CHECK_INT(vkvlm_tokenizer_stream_push(s, ids.ids[k], &streamed, &err), VKVLM_OK);
        if (s) TEST_CHECK_INT(vkvlm_tokenizer_stream_flush(s, &streamed, &err), VKVLM_OK);
        vkvlm_tokenizer_stream_destroy(s);
        TEST_CHECK_INT(vkvlm_tokenizer_decode(tok, ids.ids, ids.n, 0, &full, &err), VKVLM_OK);
        TEST_CHECK_MSG(streamed.len == full.len && memcmp(streamed.data ? streamed.data : "", full.data, full.len) == 0,
                       "%s: streamed decode differs from full decode", name);
        vkvlm_token_ids_free(&ids);
        vkvlm_token_text_free(&out);
        vkvlm_token_text_free(&streamed);
        vkvlm_token_text_free(&full);
    }
}

static void test_multilingual_round_trip(void) {
    const char *src = getenv("VKVLM_SOURCE_DIR");
    if (!golden_dir() || !src) {
        TEST_SKIP("VKVLM_GOLDEN_DIR or VKVLM_SOURCE_DIR is not set");
        return;
    }
    char path[1024];
    size_t len;
    snprintf(path, sizeof path, "%s/tests/data/multilingual.txt", src);
    char *text = read_all(path, &len);
    TEST_CHECK_MSG(text != NULL, "cannot read %s", path);
    if (!text) return;
    const char *cases[] = {"llava15_tiny_f32", "smolvlm_tiny_f16", "proxyv_tiny_f32"};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        vkvlm_tokenizer *tok = load_golden(cases[c]);
        if (!tok) continue;
        check_round_trip(tok, cases[c], text, len);
        for (size_t start = 0; start < len;) {
            size_t end = start;
            while (end < len && text[end] != '\n') end++;
            check_round_trip(tok, cases[c], text + start, end - start);
            start = end + 1;
        }
        vkvlm_tokenizer_destroy(tok);
    }
    free(text);
}

/* ---------------------------------------------------------------- decoding details */

static void check_decode(vkvlm_tokenizer *tok, const int32_t *ids, size_t n, int skip, const char *expected) {
    vkvlm_token_text out = {0};
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_tokenizer_decode(tok, ids, n, skip, &out, &err), VKVLM_OK);
    TEST_CHECK_STR(out.data, expected);
    vkvlm_token_text_free(&out);
}

static void test_decode_bytes_and_specials(void) {
    if (!golden_dir()) {
        TEST_SKIP("VKVLM_GOLDEN_DIR is not set");
        return;
    }
    vkvlm_tokenizer *llava = load_golden("llava15_tiny_f32");
    vkvlm_tokenizer *smol = load_golden("smolvlm_tiny_f16");
    if (!llava || !smol) {
        vkvlm_tokenizer_destroy(llava);
        vkvlm_tokenizer_destroy(smol);
        return;
    }
    /* ByteFallback: a complete UTF-8 run decodes; an invalid run becomes one U+FFFD per byte token, as the
     * Rust decoder does (String::from_utf8 of the whole run fails). */
    int32_t zhong[] = {1, 294, 231, 187, 176};
    check_decode(llava, zhong, 5, 0, "<s> \xE4\xB8\xAD");
    check_decode(llava, zhong, 5, 1, "\xE4\xB8\xAD");
    int32_t cut[] = {294, 231, 187};
    check_decode(llava, cut, 3, 0, "\xEF\xBF\xBD\xEF\xBF\xBD");
    int32_t a_then_bad[] = {3 + 'a', 231, 320};
    check_decode(llava, a_then_bad, 3, 0, "\xEF\xBF\xBD\xEF\xBF\xBD What");
    int32_t image[] = {1, 294, 271, 353, 353, 294, 13, 2};
    check_decode(llava, image, 8, 0, "<s> U<image><image> \n</s>");
    check_decode(llava, image, 8, 1, "U \n");
    int32_t unknown_ids[] = {-5, 99999, 1000, 294, 271};
    check_decode(llava, unknown_ids, 5, 0, "U");

    /* ByteLevel: from_utf8_lossy — one U+FFFD per maximal invalid subpart. */
    int32_t smol_zhong[] = {229, 185, 174};
    check_decode(smol, smol_zhong, 3, 0, "\xE4\xB8\xAD");
    check_decode(smol, smol_zhong, 2, 0, "\xEF\xBF\xBD");
    int32_t smol_special[] = {311, 86, 116, 286, 59, 314, 315};
    check_decode(smol, smol_special, 7, 0, "<|im_start|>User:<image><end_of_utterance>");
    check_decode(smol, smol_special, 7, 1, "User:");

    /* Streaming holds back an incomplete character until its last byte arrives. */
    vkvlm_tokenizer_stream *s = NULL;
    vkvlm_error err = {0};
    vkvlm_token_text out = {0};
    TEST_CHECK_INT(vkvlm_tokenizer_stream_create(llava, 1, &s, &err), VKVLM_OK);
    int32_t stream_ids[] = {1, 294, 75, 335, 231, 187, 176, 294, 292};
    size_t lens[9];
    for (int k = 0; s && k < 9; k++) {
        TEST_CHECK_INT(vkvlm_tokenizer_stream_push(s, stream_ids[k], &out, &err), VKVLM_OK);
        lens[k] = out.len;
    }
    TEST_CHECK_INT(lens[3], 5);           /* "Hello" */
    TEST_CHECK_INT(lens[4], lens[3]);     /* E4: held */
    TEST_CHECK_INT(lens[5], lens[3]);     /* B8: held */
    TEST_CHECK_INT(lens[6], lens[3] + 3); /* AD: 中 emitted */
    TEST_CHECK_STR(out.data, "Hello\xE4\xB8\xAD w");
    if (s) TEST_CHECK_INT(vkvlm_tokenizer_stream_flush(s, &out, &err), VKVLM_OK);
    TEST_CHECK_STR(out.data, "Hello\xE4\xB8\xAD w");
    vkvlm_tokenizer_stream_destroy(s);
    vkvlm_token_text_free(&out);

    vkvlm_tokenizer_destroy(llava);
    vkvlm_tokenizer_destroy(smol);
}

static void test_lookups(void) {
    if (!golden_dir()) {
        TEST_SKIP("VKVLM_GOLDEN_DIR is not set");
        return;
    }
    vkvlm_tokenizer *llava = load_golden("llava15_tiny_f32");
    vkvlm_tokenizer *smol = load_golden("smolvlm_tiny_f16");
    vkvlm_tokenizer *proxyv = load_golden("proxyv_tiny_f32");
    if (llava) {
        TEST_CHECK_INT(vkvlm_tokenizer_vocab_size(llava), 355); /* case.json tokenizer_size */
        TEST_CHECK_INT(vkvlm_tokenizer_bos_id(llava), 1);
        TEST_CHECK_INT(vkvlm_tokenizer_eos_id(llava), 2);
        TEST_CHECK_INT(vkvlm_tokenizer_pad_id(llava), 354);
        TEST_CHECK_INT(vkvlm_tokenizer_unk_id(llava), 0);
        TEST_CHECK_INT(vkvlm_tokenizer_token_id(llava, "<image>"), 353);
        TEST_CHECK_INT(vkvlm_tokenizer_token_id(llava, "<0x0A>"), 13);
        TEST_CHECK_INT(vkvlm_tokenizer_token_id(llava, "no such token"), -1);
        TEST_CHECK_STR(vkvlm_tokenizer_token(llava, 294), "\xE2\x96\x81");
        TEST_CHECK_STR(vkvlm_tokenizer_token(llava, 353), "<image>");
        TEST_CHECK(vkvlm_tokenizer_token(llava, 355) == NULL);
        TEST_CHECK(vkvlm_tokenizer_token(llava, -1) == NULL);
        TEST_CHECK(vkvlm_tokenizer_is_special(llava, 353));
        TEST_CHECK(vkvlm_tokenizer_is_special(llava, 1));
        TEST_CHECK(!vkvlm_tokenizer_is_special(llava, 294));
    }
    if (smol) {
        TEST_CHECK_INT(vkvlm_tokenizer_vocab_size(smol), 321);
        TEST_CHECK_INT(vkvlm_tokenizer_bos_id(smol), 311);
        TEST_CHECK_INT(vkvlm_tokenizer_eos_id(smol), 315);
        TEST_CHECK_INT(vkvlm_tokenizer_pad_id(smol), 312);
        TEST_CHECK_INT(vkvlm_tokenizer_unk_id(smol), 0);
        TEST_CHECK_INT(vkvlm_tokenizer_token_id(smol, "<image>"), 314);
        TEST_CHECK_INT(vkvlm_tokenizer_token_id(smol, "<fake_token_around_image>"), 313);
        TEST_CHECK_STR(vkvlm_tokenizer_token(smol, 33), "\xC4\xA0"); /* "Ġ" */
    }
    if (proxyv) {
        TEST_CHECK_INT(vkvlm_tokenizer_vocab_size(proxyv), 353);
        TEST_CHECK_INT(vkvlm_tokenizer_pad_id(proxyv), 0); /* pad = <unk> in this config */
        TEST_CHECK_INT(vkvlm_tokenizer_token_id(proxyv, "<image>"), -1);
    }
    vkvlm_tokenizer_destroy(llava);
    vkvlm_tokenizer_destroy(smol);
    vkvlm_tokenizer_destroy(proxyv);
}

/* ---------------------------------------------------------------- a small inline tokenizer
 * Vocab <unk> <s> </s> a b d e h l o r t w x ▁ . and merges for "▁the", "▁world"; no byte tokens (unknown
 * characters become a fused <unk>). Metaspace with prepend_scheme "first" and split false (the newer Llama
 * layout). Added: <mask> (24: single_word, lstrip, rstrip, special), <x> (25, special), <x><y> (26),
 * world (27, normalized: matched after the normalizer, non-special). Merges in the [a, b] format. */
static const char small_json[] =
    "{\"version\":\"1.0\",\"added_tokens\":["
    "{\"id\":24,\"content\":\"<mask>\",\"single_word\":true,\"lstrip\":true,\"rstrip\":true,\"normalized\":false,"
    "\"special\":true},"
    "{\"id\":25,\"content\":\"<x>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,"
    "\"special\":true},"
    "{\"id\":26,\"content\":\"<x><y>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,"
    "\"special\":false},"
    "{\"id\":27,\"content\":\"world\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":true,"
    "\"special\":false}],"
    "\"normalizer\":null,"
    "\"pre_tokenizer\":{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\",\"prepend_scheme\":\"first\",\"split\":"
    "false},"
    "\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},"
    "{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"</s>\",\"type_id\":0}}],"
    "\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[1],\"tokens\":[\"<s>\"]},\"</s>\":{\"id\":\"</"
    "s>\",\"ids\":[2],\"tokens\":[\"</s>\"]}}},"
    "\"decoder\":{\"type\":\"Metaspace\",\"replacement\":\"\\u2581\",\"prepend_scheme\":\"first\",\"split\":false},"
    "\"model\":{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"fuse_unk\":true,\"byte_fallback\":false,"
    "\"vocab\":{\"<unk>\":0,\"<s>\":1,\"</"
    "s>\":2,\"a\":3,\"b\":4,\"d\":5,\"e\":6,\"h\":7,\"l\":8,\"o\":9,\"r\":10,\"t\":11,"
    "\"w\":12,\"x\":13,\"\\u2581\":14,\".\":15,\"\\u2581t\":16,\"he\":17,\"\\u2581the\":18,\"\\u2581w\":19,\"or\":20,"
    "\"ld\":21,"
    "\"\\u2581wor\":22,\"\\u2581world\":23},"
    "\"merges\":[[\"\\u2581\",\"t\"],[\"h\",\"e\"],[\"\\u2581t\",\"he\"],[\"\\u2581\",\"w\"],[\"o\",\"r\"],[\"l\","
    "\"d\"],"
    "[\"\\u2581w\",\"or\"],[\"\\u2581wor\",\"ld\"]]}}";

static vkvlm_tokenizer *load_text(const char *json, size_t len, vkvlm_error *err) {
    vkvlm_tokenizer_desc desc = {.json_text = json, .json_len = len, .label = "inline.json"};
    vkvlm_tokenizer *tok = NULL;
    vkvlm_tokenizer_create(&desc, &tok, err);
    return tok;
}

static void test_inline_tokenizer(void) {
    vkvlm_error err = {0};
    vkvlm_tokenizer *tok = load_text(small_json, sizeof small_json - 1, &err);
    TEST_CHECK_MSG(tok != NULL, "%s", err.message);
    if (!tok) return;
    /* Expected ids follow tokenizers' AddedVocabulary and Metaspace code (tokenizers.js agrees except where
     * it ignores single_word: "the<mask> x"). */
    static const known_case cases[] = {
        /* prepend "first": only the piece at byte 0 gets "▁"; "world" is a normalized added token. */
        {"the world", 1, {1, 18, 14, 27, 2}, 5},
        {"<x>the world", 1, {1, 25, 11, 17, 14, 27, 2}, 7},
        /* <mask> swallows the spaces around it (lstrip, rstrip). */
        {" the  world <mask> the", 1, {1, 18, 14, 14, 27, 24, 11, 17, 2}, 9},
        {" <mask>  the", 1, {1, 24, 11, 17, 2}, 5},
        /* single_word: a word character next to <mask> means no match; unknowns fuse into one <unk>. */
        {"the<mask> x", 1, {1, 18, 0, 3, 0, 14, 13, 2}, 8},
        /* leftmost-longest: "<x><y>" beats "<x>". */
        {"<x><y>z <x> <x><x><y>", 1, {1, 26, 0, 14, 25, 14, 25, 26, 2}, 9},
        {"world.world", 0, {27, 15, 27}, 3},
        {"QQ the", 0, {14, 0, 18}, 3},
    };
    check_known(tok, cases, sizeof cases / sizeof cases[0]);
    /* Metaspace decoder: "▁" -> " ", none kept in the first token. */
    int32_t ids[] = {18, 14, 27};
    check_decode(tok, ids, 3, 0, "the world");
    int32_t with_specials[] = {1, 25, 18, 24, 2};
    check_decode(tok, with_specials, 5, 0, "<s><x> the<mask></s>");
    check_decode(tok, with_specials, 5, 1, "<s> the</s>"); /* <s> is vocab here, not a special added token */
    TEST_CHECK_INT(vkvlm_tokenizer_vocab_size(tok), 28);
    TEST_CHECK_INT(vkvlm_tokenizer_bos_id(tok), -1); /* no tokenizer_config given */
    vkvlm_tokenizer_destroy(tok);
}

/* The same tokenizer with "a b" merges must behave identically. */
static void test_merge_formats(void) {
    char *json = malloc(sizeof small_json * 2);
    strcpy(json, small_json);
    const char *pairs = strstr(small_json, "\"merges\":[");
    size_t head = (size_t)(pairs - small_json);
    sprintf(json + head, "\"merges\":[\"\\u2581 t\",\"h e\",\"\\u2581t he\",\"\\u2581 w\",\"o r\",\"l d\",\"\\u2581w "
                         "or\",\"\\u2581wor ld\"]}}");
    vkvlm_error err = {0};
    vkvlm_tokenizer *a = load_text(small_json, sizeof small_json - 1, &err);
    vkvlm_tokenizer *b = load_text(json, strlen(json), &err);
    TEST_CHECK_MSG(a && b, "%s", err.message);
    const char *texts[] = {"the world", "tthhee wworld", " wor ld the"};
    for (size_t k = 0; a && b && k < 3; k++) {
        vkvlm_token_ids x = {0}, y = {0};
        TEST_CHECK_INT(vkvlm_tokenizer_encode(a, texts[k], strlen(texts[k]), 1, &x, &err), VKVLM_OK);
        TEST_CHECK_INT(vkvlm_tokenizer_encode(b, texts[k], strlen(texts[k]), 1, &y, &err), VKVLM_OK);
        TEST_CHECK(x.n == y.n && memcmp(x.ids, y.ids, x.n * sizeof *x.ids) == 0);
        vkvlm_token_ids_free(&x);
        vkvlm_token_ids_free(&y);
    }
    vkvlm_tokenizer_destroy(a);
    vkvlm_tokenizer_destroy(b);
    free(json);
}

/* ---------------------------------------------------------------- bad input */

typedef struct bad_case {
    const char *json;    /* the whole tokenizer.json */
    vkvlm_status status; /* expected failure */
    const char *mention; /* text the message must contain */
} bad_case;

static void test_bad_files(void) {
    static const bad_case cases[] = {
        {"{\"model\": ", VKVLM_ERR_FORMAT, "not valid JSON"},
        {"[1, 2]", VKVLM_ERR_FORMAT, "not a JSON object"},
        {"{\"added_tokens\": []}", VKVLM_ERR_FORMAT, "missing \"model\""},
        {"{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}", VKVLM_ERR_UNSUPPORTED, "model.type \"Unigram\""},
        {"{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}", VKVLM_ERR_UNSUPPORTED, "WordPiece"},
        {"{\"model\": {\"type\": \"BPE\"}}", VKVLM_ERR_FORMAT, "model.vocab"},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": -1}, \"merges\": []}}", VKVLM_ERR_FORMAT,
         "model.vocab[\"a\"]"},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a b\"]}}", VKVLM_ERR_FORMAT,
         "model.merges[0]: token \"b\""},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a a\"]}}", VKVLM_ERR_FORMAT,
         "merged token \"aa\""},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a  a\"]}}", VKVLM_ERR_FORMAT,
         "model.merges[0]"},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [[\"a\"]]}}", VKVLM_ERR_FORMAT,
         "model.merges[0]"},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {}, \"dropout\": 0.1}}", VKVLM_ERR_UNSUPPORTED, "dropout"},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {}, \"continuing_subword_prefix\": \"##\"}}",
         VKVLM_ERR_UNSUPPORTED, "continuing_subword_prefix"},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {}}, \"normalizer\": {\"type\": \"NFC\"}}", VKVLM_ERR_UNSUPPORTED,
         "normalizer.type \"NFC\""},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {}}, \"normalizer\": {\"type\": \"Sequence\", \"normalizers\": "
         "[{\"type\": \"Replace\", \"pattern\": {\"Regex\": \" +\"}, \"content\": \" \"}]}}",
         VKVLM_ERR_UNSUPPORTED, "normalizer.normalizers[0].pattern is a Regex"},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {}}, \"pre_tokenizer\": {\"type\": \"Split\"}}",
         VKVLM_ERR_UNSUPPORTED, "pre_tokenizer.type \"Split\""},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {}}, \"pre_tokenizer\": {\"pretokenizers\": []}}",
         VKVLM_ERR_FORMAT, "pre_tokenizer has no \"type\""},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {}}, \"decoder\": {\"type\": \"WordPiece\"}}",
         VKVLM_ERR_UNSUPPORTED, "decoder.type \"WordPiece\""},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {}}, \"post_processor\": {\"type\": \"TemplateProcessing\", "
         "\"single\": [{\"SpecialToken\": {\"id\": \"<s>\"}}, {\"Sequence\": {\"id\": \"A\"}}], \"special_tokens\": "
         "{}}}",
         VKVLM_ERR_FORMAT, "names \"<s>\""},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {}}, \"post_processor\": {\"type\": \"RobertaProcessing\"}}",
         VKVLM_ERR_UNSUPPORTED, "RobertaProcessing"},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {}}, \"added_tokens\": [{\"id\": 1}]}", VKVLM_ERR_FORMAT,
         "added_tokens[0] has no \"content\""},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {}}, \"added_tokens\": [{\"id\": 1e12, \"content\": \"x\"}]}",
         VKVLM_ERR_FORMAT, "added_tokens[0].id"},
        {"{\"model\": {\"type\": \"BPE\", \"vocab\": {}}, \"decoder\": {\"type\": \"Strip\", \"content\": \"ab\"}}",
         VKVLM_ERR_FORMAT, "decoder.content"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        vkvlm_error err = {0};
        vkvlm_tokenizer *tok = load_text(cases[k].json, strlen(cases[k].json), &err);
        TEST_CHECK_MSG(tok == NULL, "case %zu loaded", k);
        vkvlm_tokenizer_destroy(tok);
        TEST_CHECK_MSG(err.status == cases[k].status, "case %zu: status %d, message \"%s\"", k, (int)err.status,
                       err.message);
        TEST_CHECK_MSG(strstr(err.message, "inline.json: ") == err.message, "case %zu: \"%s\" does not name the file",
                       k, err.message);
        TEST_CHECK_MSG(strstr(err.message, cases[k].mention) != NULL, "case %zu: \"%s\" lacks \"%s\"", k, err.message,
                       cases[k].mention);
    }

    vkvlm_error err = {0};
    vkvlm_tokenizer *tok = NULL;
    TEST_CHECK_INT(vkvlm_tokenizer_create_from_dir("/nonexistent/vkvlm", &tok, &err), VKVLM_ERR_IO);
    TEST_CHECK(tok == NULL);
    TEST_CHECK(strstr(err.message, "/nonexistent/vkvlm/tokenizer.json") != NULL);

    /* Invalid UTF-8 is refused, naming the offset; the output is left as it was. */
    tok = load_text(small_json, sizeof small_json - 1, &err);
    if (tok) {
        vkvlm_token_ids ids = {0};
        vkvlm_error e = {0};
        TEST_CHECK_INT(vkvlm_tokenizer_encode(tok, "ab\xC0\x80", 4, 1, &ids, &e), VKVLM_ERR_USAGE);
        TEST_CHECK(strstr(e.message, "byte 2") != NULL);
        TEST_CHECK_INT(ids.n, 0);
        vkvlm_token_ids_free(&ids);
    }
    vkvlm_tokenizer_destroy(tok);
    vkvlm_tokenizer_destroy(NULL);
}

/* ---------------------------------------------------------------- unicode and byte-level pieces */

static void test_unicode_classes(void) {
    TEST_CHECK(vkvlm_unicode_is_letter('a') && vkvlm_unicode_is_letter(0x4E2D) && vkvlm_unicode_is_letter(0xD55C));
    TEST_CHECK(!vkvlm_unicode_is_letter('1') && !vkvlm_unicode_is_letter(0x301) && !vkvlm_unicode_is_letter(0x1F600));
    TEST_CHECK(vkvlm_unicode_is_number('7') && vkvlm_unicode_is_number(0x663) && vkvlm_unicode_is_number(0xBD) &&
               vkvlm_unicode_is_number(0x216B));
    TEST_CHECK(vkvlm_unicode_is_white_space(' ') && vkvlm_unicode_is_white_space(0x85) &&
               vkvlm_unicode_is_white_space(0x3000) && vkvlm_unicode_is_white_space(0x2028));
    TEST_CHECK(!vkvlm_unicode_is_white_space(0x200B) && !vkvlm_unicode_is_white_space(0x1C) &&
               !vkvlm_unicode_is_white_space(0x180E));
    TEST_CHECK(vkvlm_unicode_is_word('_') && vkvlm_unicode_is_word(0x301) && !vkvlm_unicode_is_word('-'));

    uint32_t cp;
    TEST_CHECK_INT(vkvlm_utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
    TEST_CHECK_INT(cp, 0x1F600);
    TEST_CHECK_INT(vkvlm_utf8_decode("\xC0\x80", 2, &cp), 0);     /* overlong */
    TEST_CHECK_INT(vkvlm_utf8_decode("\xED\xA0\x80", 3, &cp), 0); /* surrogate */
    TEST_CHECK_INT(vkvlm_utf8_decode("\xF4\x90\x80\x80", 4, &cp), 0);
    TEST_CHECK_INT(vkvlm_utf8_decode("\xE4\xB8", 2, &cp), 0);
    TEST_CHECK_INT(vkvlm_utf8_invalid_run("\xE4\xB8"
                                          "a",
                                          3),
                   2);
    TEST_CHECK_INT(vkvlm_utf8_invalid_run("\xF0\x80\x80", 3), 1);
    TEST_CHECK_INT(vkvlm_utf8_invalid_run("\xFF", 1), 1);

    /* The GPT-2 alphabet is a bijection between bytes and its 256 stand-ins. */
    int ok = 1;
    for (int b = 0; b < 256; b++) ok &= vkvlm_byte_level_byte(vkvlm_byte_level_char((unsigned char)b)) == b;
    TEST_CHECK(ok);
    TEST_CHECK_INT(vkvlm_byte_level_char(' '), 0x120);  /* "Ġ" */
    TEST_CHECK_INT(vkvlm_byte_level_char('\n'), 0x10A); /* "Ċ" */
    TEST_CHECK_INT(vkvlm_byte_level_byte(0x144), -1);

    /* GPT-2 pieces. */
    const char *s = "I'm  here\t\n 123!!";
    const char *expected[] = {"I", "'m", " ", " here", "\t\n", " 123", "!!"};
    size_t at = 0, len = strlen(s);
    for (size_t k = 0; k < 7; k++) {
        size_t n = at < len ? vkvlm_byte_level_next_piece(s + at, len - at) : 0;
        TEST_CHECK_MSG(n == strlen(expected[k]) && strncmp(s + at, expected[k], n) == 0, "piece %zu: \"%.*s\"", k,
                       (int)n, s + at);
        at += n;
    }
    TEST_CHECK_INT(at, len);
}

int main(void) {
    TEST_RUN(test_golden_llava_prompts);
    TEST_RUN(test_golden_smolvlm_prompt);
    TEST_RUN(test_golden_proxyv_chunks);
    TEST_RUN(test_llava_known_ids);
    TEST_RUN(test_smolvlm_known_ids);
    TEST_RUN(test_multilingual_round_trip);
    TEST_RUN(test_decode_bytes_and_specials);
    TEST_RUN(test_lookups);
    TEST_RUN(test_inline_tokenizer);
    TEST_RUN(test_merge_formats);
    TEST_RUN(test_bad_files);
    TEST_RUN(test_unicode_classes);
    return test_finish();
}
