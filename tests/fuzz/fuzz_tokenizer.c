/* fuzz_tokenizer.c — libFuzzer target for tokenizer.json parsing, encoding and decoding.
 *
 * The first input byte picks what the rest is:
 *   0  text for a LLaVA-style tokenizer (Prepend/Replace normalizer, BPE with byte fallback, BOS template,
 *      Replace/ByteFallback/Fuse/Strip decoder, <image>-like added tokens)
 *   1  text for a SmolVLM-style tokenizer (Digits + ByteLevel pre-tokenizer, byte-level BPE, ByteLevel
 *      decoder, added tokens with lstrip/rstrip/single_word)
 *   2  a tokenizer.json; when it loads, a fixed sample and the ids derived from the input run through it
 * Beyond "no crash, no sanitizer report", modes 0 and 1 check properties and trap when one fails:
 * encode -> decode gives valid UTF-8 text back unchanged (for text without added-token strings or "▁"),
 * and streaming decode adds up to the full decode. Both tokenizers are built once, from JSON generated
 * here, so the target needs no files. Seeds: tests/fuzz/corpus/tokenizer/.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/tokenizer.h"
#include "io/unicode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---------------------------------------------------------------- the two built-in tokenizers */

static void add_merges(cJSON *vocab, cJSON *merges, const char *const (*pairs)[2], size_t n) {
    for (size_t k = 0; k < n; k++) {
        char joined[64];
        strcpy(joined, pairs[k][0]);
        strcat(joined, pairs[k][1]);
        if (!cJSON_GetObjectItemCaseSensitive(vocab, joined))
            cJSON_AddNumberToObject(vocab, joined, cJSON_GetArraySize(vocab));
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateString(pairs[k][0]));
        cJSON_AddItemToArray(pair, cJSON_CreateString(pairs[k][1]));
        cJSON_AddItemToArray(merges, pair);
    }
}

static void add_token(cJSON *list, int id, const char *content, int special, int single_word, int lstrip, int rstrip) {
    cJSON *t = cJSON_CreateObject();
    cJSON_AddNumberToObject(t, "id", id);
    cJSON_AddStringToObject(t, "content", content);
    cJSON_AddBoolToObject(t, "single_word", single_word);
    cJSON_AddBoolToObject(t, "lstrip", lstrip);
    cJSON_AddBoolToObject(t, "rstrip", rstrip);
    cJSON_AddBoolToObject(t, "normalized", 0);
    cJSON_AddBoolToObject(t, "special", special);
    cJSON_AddItemToArray(list, t);
}

static cJSON *parse(const char *json) { return cJSON_Parse(json); }

static vkvlm_tokenizer *create(cJSON *root) {
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    vkvlm_tokenizer_desc desc = {.json_text = json, .json_len = strlen(json), .label = "fuzz.json"};
    vkvlm_tokenizer *tok = NULL;
    vkvlm_error err = {0};
    vkvlm_tokenizer_create(&desc, &tok, &err);
    free(json);
    if (!tok) abort(); /* the built-in files must load */
    return tok;
}

static vkvlm_tokenizer *make_sentencepiece(void) {
    cJSON *root = cJSON_CreateObject();
    cJSON *vocab = cJSON_CreateObject(), *merges = cJSON_CreateArray();
    cJSON_AddNumberToObject(vocab, "<unk>", 0);
    cJSON_AddNumberToObject(vocab, "<s>", 1);
    cJSON_AddNumberToObject(vocab, "</s>", 2);
    for (int b = 0; b < 256; b++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", b);
        cJSON_AddNumberToObject(vocab, name, 3 + b);
    }
    const char *letters[] = {"\xE2\x96\x81", "a", "e", "h", "i", "n", "o", "s", "t", "w", "\xC3\xA4", "\xE4\xB8\xAD"};
    for (size_t k = 0; k < sizeof letters / sizeof letters[0]; k++)
        cJSON_AddNumberToObject(vocab, letters[k], cJSON_GetArraySize(vocab));
    static const char *const pairs[][2] = {{"\xE2\x96\x81", "t"},
                                           {"h", "e"},
                                           {"\xE2\x96\x81t", "he"},
                                           {"i", "n"},
                                           {"\xE2\x96\x81", "a"},
                                           {"\xE2\x96\x81", "\xE2\x96\x81"},
                                           {"o", "n"},
                                           {"\xE2\x96\x81", "w"},
                                           {"s", "\xE2\x96\x81"}};
    add_merges(vocab, merges, pairs, sizeof pairs / sizeof pairs[0]);
    int n = cJSON_GetArraySize(vocab);
    cJSON *added = cJSON_AddArrayToObject(root, "added_tokens");
    add_token(added, 0, "<unk>", 1, 0, 0, 0);
    add_token(added, 1, "<s>", 1, 0, 0, 0);
    add_token(added, 2, "</s>", 1, 0, 0, 0);
    add_token(added, n, "<image>", 1, 0, 0, 0);
    add_token(added, n + 1, "<pad>", 1, 0, 0, 0);
    cJSON_AddItemToObject(
        root, "normalizer",
        parse("{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Prepend\",\"prepend\":\"\\u2581\"},"
              "{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"\\u2581\"}]}"));
    cJSON_AddNullToObject(root, "pre_tokenizer");
    cJSON_AddItemToObject(
        root, "post_processor",
        parse("{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},"
              "{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"special_tokens\":{\"<s>\":{\"id\":\"<s>\","
              "\"ids\":[1],\"tokens\":[\"<s>\"]}}}"));
    cJSON_AddItemToObject(
        root, "decoder",
        parse("{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"\\u2581\"},"
              "\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},{\"type\":\"Strip\","
              "\"content\":\" \",\"start\":1,\"stop\":0}]}"));
    cJSON *model = cJSON_AddObjectToObject(root, "model");
    cJSON_AddStringToObject(model, "type", "BPE");
    cJSON_AddStringToObject(model, "unk_token", "<unk>");
    cJSON_AddBoolToObject(model, "fuse_unk", 1);
    cJSON_AddBoolToObject(model, "byte_fallback", 1);
    cJSON_AddItemToObject(model, "vocab", vocab);
    cJSON_AddItemToObject(model, "merges", merges);
    return create(root);
}

/* GPT-2's byte alphabet as UTF-8, in byte order (ids 0..255). */
static void byte_level_name(int b, char out[4]) {
    uint32_t cp = (b <= 32)                ? 0x100u + (uint32_t)b
                  : (b >= 127 && b <= 160) ? 0x100u + 33u + (uint32_t)(b - 127)
                  : (b == 173)             ? 0x100u + 67u
                                           : (uint32_t)b;
    size_t n = vkvlm_utf8_encode(cp, out);
    out[n] = '\0';
}

static vkvlm_tokenizer *make_byte_level(void) {
    cJSON *root = cJSON_CreateObject();
    cJSON *vocab = cJSON_CreateObject(), *merges = cJSON_CreateArray();
    for (int b = 0; b < 256; b++) {
        char name[5];
        byte_level_name(b, name);
        cJSON_AddNumberToObject(vocab, name, b);
    }
    static const char *const pairs[][2] = {{"\xC4\xA0", "t"},        {"h", "e"},
                                           {"\xC4\xA0t", "he"},      {"i", "n"},
                                           {"\xC4\xA0", "\xC4\xA0"}, {"\xC4\x8A", "\xC4\x8A"},
                                           {"\xC3\xA4", "\xC2\xB8"}, {"o", "n"},
                                           {"\xC4\xA0", "a"}};
    add_merges(vocab, merges, pairs, sizeof pairs / sizeof pairs[0]);
    int n = cJSON_GetArraySize(vocab);
    cJSON *added = cJSON_AddArrayToObject(root, "added_tokens");
    add_token(added, n, "<|endoftext|>", 1, 0, 0, 0);
    add_token(added, n + 1, "<|im_start|>", 1, 0, 0, 0);
    add_token(added, n + 2, "<image>", 1, 0, 0, 0);
    add_token(added, n + 3, "<row_1_col_1>", 1, 0, 0, 0);
    add_token(added, n + 4, "<mask>", 1, 1, 1, 1);
    add_token(added, n + 5, "<img", 0, 0, 0, 1);
    cJSON_AddNullToObject(root, "normalizer");
    cJSON_AddItemToObject(
        root, "pre_tokenizer",
        parse("{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Digits\",\"individual_digits\":true},"
              "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}]}"));
    cJSON_AddItemToObject(root, "post_processor", parse("{\"type\":\"ByteLevel\",\"add_prefix_space\":true}"));
    cJSON_AddItemToObject(root, "decoder", parse("{\"type\":\"ByteLevel\"}"));
    cJSON *model = cJSON_AddObjectToObject(root, "model");
    cJSON_AddStringToObject(model, "type", "BPE");
    cJSON_AddNullToObject(model, "unk_token");
    cJSON_AddItemToObject(model, "vocab", vocab);
    cJSON_AddItemToObject(model, "merges", merges);
    return create(root);
}

/* ---------------------------------------------------------------- checks */

static int contains(const char *s, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(s + i, needle, n) == 0) return 1;
    return 0;
}

/* Decodes ids in one go and one at a time; both must agree. */
static void check_stream(const vkvlm_tokenizer *tok, const int32_t *ids, size_t n) {
    vkvlm_error err = {0};
    vkvlm_token_text full = {0}, streamed = {0};
    vkvlm_tokenizer_stream *s = NULL;
    if (vkvlm_tokenizer_decode(tok, ids, n, 0, &full, &err) != VKVLM_OK) abort();
    if (vkvlm_tokenizer_stream_create(tok, 0, &s, &err) != VKVLM_OK) abort();
    for (size_t k = 0; k < n; k++)
        if (vkvlm_tokenizer_stream_push(s, ids[k], &streamed, &err) != VKVLM_OK) abort();
    if (vkvlm_tokenizer_stream_flush(s, &streamed, &err) != VKVLM_OK) abort();
    vkvlm_tokenizer_stream_destroy(s);
    if (streamed.len != full.len || memcmp(streamed.data ? streamed.data : "", full.data, full.len) != 0)
        __builtin_trap();
    vkvlm_token_text_free(&full);
    vkvlm_token_text_free(&streamed);
}

static void fuzz_text(const vkvlm_tokenizer *tok, const char *text, size_t len, const char *const *reserved) {
    vkvlm_error err = {0};
    vkvlm_token_ids ids = {0};
    vkvlm_status st = vkvlm_tokenizer_encode(tok, text, len, 1, &ids, &err);
    int valid = vkvlm_utf8_first_invalid(text, len) == len;
    if (valid != (st == VKVLM_OK)) __builtin_trap(); /* only invalid UTF-8 may be refused */
    if (st != VKVLM_OK) {
        vkvlm_token_ids_free(&ids);
        return;
    }
    for (size_t k = 0; k < ids.n; k++)
        if (ids.ids[k] < 0 || (size_t)ids.ids[k] >= vkvlm_tokenizer_vocab_size(tok)) __builtin_trap();
    int plain = 1;
    for (size_t k = 0; reserved[k]; k++) plain &= !contains(text, len, reserved[k]);
    if (plain) {
        vkvlm_token_text back = {0};
        if (vkvlm_tokenizer_decode(tok, ids.ids, ids.n, 1, &back, &err) != VKVLM_OK) abort();
        if (back.len != len || memcmp(back.data, text, len) != 0) __builtin_trap();
        vkvlm_token_text_free(&back);
        check_stream(tok, ids.ids, ids.n);
    }
    vkvlm_token_ids_free(&ids);
}

/* Ids from raw bytes (two per id), decoded plainly and skipping specials: must not fail. */
static void fuzz_ids(const vkvlm_tokenizer *tok, const uint8_t *data, size_t size) {
    size_t n = size / 2;
    int32_t *ids = malloc((n ? n : 1) * sizeof *ids);
    size_t vocab = vkvlm_tokenizer_vocab_size(tok) + 2; /* a few ids past the end on purpose */
    for (size_t k = 0; k < n; k++) ids[k] = (int32_t)(((size_t)data[2 * k] << 8 | data[2 * k + 1]) % vocab) - 1;
    vkvlm_error err = {0};
    for (int skip = 0; skip <= 1; skip++) {
        vkvlm_token_text out = {0};
        if (vkvlm_tokenizer_decode(tok, ids, n, skip, &out, &err) != VKVLM_OK) abort();
        if (out.data && vkvlm_utf8_first_invalid(out.data, out.len) != out.len) __builtin_trap();
        vkvlm_token_text_free(&out);
    }
    vkvlm_tokenizer_stream *s = NULL;
    vkvlm_token_text streamed = {0};
    if (vkvlm_tokenizer_stream_create(tok, 1, &s, &err) != VKVLM_OK) abort();
    for (size_t k = 0; k < n; k++) vkvlm_tokenizer_stream_push(s, ids[k], &streamed, &err);
    vkvlm_tokenizer_stream_flush(s, &streamed, &err);
    vkvlm_tokenizer_stream_destroy(s);
    if (streamed.data && vkvlm_utf8_first_invalid(streamed.data, streamed.len) != streamed.len) __builtin_trap();
    vkvlm_token_text_free(&streamed);
    free(ids);
}

static void fuzz_json(const uint8_t *data, size_t size) {
    vkvlm_tokenizer_desc desc = {.json_text = (const char *)data, .json_len = size, .label = "fuzz.json"};
    vkvlm_tokenizer *tok = NULL;
    vkvlm_error err = {0};
    vkvlm_status st = vkvlm_tokenizer_create(&desc, &tok, &err);
    if ((st == VKVLM_OK) != (tok != NULL) || (st != VKVLM_OK && err.message[0] == '\0')) __builtin_trap();
    if (!tok) return;
    static const char sample[] = "Hello  world 123 <image>\n\tGr\xC3\xBC\xC3\x9F"
                                 "e \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB";
    vkvlm_token_ids ids = {0};
    if (vkvlm_tokenizer_encode(tok, sample, sizeof sample - 1, 1, &ids, &err) == VKVLM_OK) {
        vkvlm_token_text out = {0};
        vkvlm_tokenizer_decode(tok, ids.ids, ids.n, 0, &out, &err);
        vkvlm_token_text_free(&out);
    }
    vkvlm_token_ids_free(&ids);
    vkvlm_token_ids more = {0};
    vkvlm_tokenizer_encode(tok, (const char *)data, size, 0, &more, &err);
    vkvlm_token_ids_free(&more);
    fuzz_ids(tok, data, size < 512 ? size : 512);
    vkvlm_tokenizer_destroy(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static vkvlm_tokenizer *sentencepiece, *byte_level; /* built once: the harness is not library code */
    static const char *const sp_reserved[] = {"\xE2\x96\x81", "<unk>", "<s>", "</s>", "<image>", "<pad>", NULL};
    static const char *const bl_reserved[] = {"<|endoftext|>", "<|im_start|>", "<image>", "<row_1_col_1>",
                                              "<mask>",        "<img",         NULL};
    if (!sentencepiece) sentencepiece = make_sentencepiece();
    if (!byte_level) byte_level = make_byte_level();
    if (size == 0) return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    switch (data[0] % 3) {
    case 0:
        fuzz_text(sentencepiece, text, len, sp_reserved);
        fuzz_ids(sentencepiece, data + 1, len);
        break;
    case 1:
        fuzz_text(byte_level, text, len, bl_reserved);
        fuzz_ids(byte_level, data + 1, len);
        break;
    default: fuzz_json(data + 1, len); break;
    }
    return 0;
}
