/* fuzz_chat.c — libFuzzer target: prompt handling. The first byte picks the family and the image layout
 * (none, one unsplit image, a split grid); the rest is the user message or, when the selector's top bit is
 * set, a raw prompt. The built prompt is then encoded with a small in-memory tokenizer of each family's
 * style. Built text must be valid input for the tokenizer, and every refusal must carry a message.
 * Seeds: tests/fuzz/corpus/chat/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "io/chat_template.h"
#include "io/tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A byte-level BPE tokenizer with the Idefics3 and LLaVA placeholders as added tokens. */
static const char tokenizer_json[] =
    "{\"version\":\"1.0\",\"added_tokens\":["
    "{\"id\":0,\"content\":\"<image>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true},"
    "{\"id\":1,\"content\":\"<fake_token_around_image>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true},"
    "{\"id\":2,\"content\":\"<global-img>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true},"
    "{\"id\":3,\"content\":\"<row_1_col_1>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}],"
    "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true},"
    "\"post_processor\":null,\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},"
    "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":null,"
    "\"end_of_word_suffix\":null,\"fuse_unk\":false,\"byte_fallback\":false,\"vocab\":{";

static vkvlm_tokenizer *make_tokenizer(void) {
    /* vocab: the 256 byte-level characters at ids 4.. (built here to keep the literal short) */
    static const char tail[] = "},\"merges\":[]}}";
    size_t cap = sizeof tokenizer_json + 256 * 16 + sizeof tail;
    char *json = malloc(cap);
    if (!json) return NULL;
    size_t n = (size_t)snprintf(json, cap, "%s", tokenizer_json);
    int count = 0, next = 256;
    for (int b = 0; b < 256; b++) {
        int printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        int cp = printable ? b : next++;
        char utf8[4] = {0};
        if (cp < 0x80) utf8[0] = (char)cp;
        else {
            utf8[0] = (char)(0xC0 | (cp >> 6));
            utf8[1] = (char)(0x80 | (cp & 0x3F));
        }
        const char *esc = cp == '"' ? "\\\"" : cp == '\\' ? "\\\\" : utf8;
        n += (size_t)snprintf(json + n, cap - n, "%s\"%s\":%d", count++ ? "," : "", esc, 4 + b);
    }
    n += (size_t)snprintf(json + n, cap - n, "%s", tail);
    vkvlm_tokenizer_desc desc = {.json_text = json, .json_len = n, .label = "fuzz/tokenizer.json"};
    vkvlm_tokenizer *tok = NULL;
    vkvlm_error err = {0};
    if (vkvlm_tokenizer_create(&desc, &tok, &err) != VKVLM_OK) abort(); /* the fixture itself must load */
    free(json);
    return tok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static vkvlm_tokenizer *tok;
    if (!tok) tok = make_tokenizer(); /* made once per process: libFuzzer runs many inputs */
    if (!tok || size == 0) return 0;
    uint8_t sel = data[0];
    char *text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    vkvlm_chat_image grid = {(sel >> 2) & 3, (sel >> 4) & 3};
    vkvlm_chat_desc desc = {.family = (sel & 1) ? VKVLM_CHAT_IDEFICS3 : VKVLM_CHAT_LLAVA15,
                            .user_message = (sel & 0x80) ? NULL : text,
                            .raw_prompt = (sel & 0x80) ? text : NULL,
                            .n_images = (sel >> 1) & 1,
                            .images = &grid,
                            .image_seq_len = 1 + ((sel >> 6) & 1) * 15};
    vkvlm_token_text out = {0};
    vkvlm_error err = {0};
    vkvlm_status st = vkvlm_chat_build_prompt(&desc, &out, &err);
    if (st != VKVLM_OK && !err.message[0]) abort();
    if (st == VKVLM_OK) {
        vkvlm_token_ids ids = {0};
        vkvlm_error_clear(&err);
        /* the prompt may contain invalid UTF-8 from the fuzzer's message: encode may refuse it, with a message */
        if (vkvlm_tokenizer_encode(tok, out.data ? out.data : "", out.len, 1, &ids, &err) != VKVLM_OK && !err.message[0])
            abort();
        vkvlm_token_ids_free(&ids);
    }
    vkvlm_token_text_free(&out);
    free(text);
    return 0;
}
