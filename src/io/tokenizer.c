/* tokenizer.c — a loaded tokenizer's shared plumbing (tokenizer.h): the id and text buffers, the per-id
 * tables and added-token matchers built after loading, the lookups, and destroy.
 *
 * Does not: parse files (tokenizer_json.c), encode (tokenizer_encode.c) or decode (tokenizer_decode.c).
 */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "io/tokenizer_parts.h"
#include "io/unicode.h"

/* ---------------------------------------------------------------- buffers */

void vkvlm_token_ids_free(vkvlm_token_ids *ids) {
    if (!ids) return;
    free(ids->ids);
    memset(ids, 0, sizeof *ids);
}

void vkvlm_token_text_free(vkvlm_token_text *text) {
    if (!text) return;
    free(text->data);
    memset(text, 0, sizeof *text);
}

vkvlm_status vkvlm_token_text_append(vkvlm_token_text *text, const char *data, size_t len) {
    if (text->len + len + 1 > text->cap) {
        size_t cap = text->cap ? text->cap : 64;
        while (cap < text->len + len + 1) cap *= 2;
        char *p = realloc(text->data, cap);
        if (!p) return VKVLM_ERR_OUT_OF_MEMORY;
        text->data = p;
        text->cap = cap;
    }
    if (len) memcpy(text->data + text->len, data, len);
    text->len += len;
    text->data[text->len] = '\0';
    return VKVLM_OK;
}

int vkvlm_tok_text_append_cp(vkvlm_token_text *text, uint32_t cp) {
    char utf8[4];
    size_t n = vkvlm_utf8_encode(cp, utf8);
    return vkvlm_token_text_append(text, utf8, n);
}

vkvlm_status vkvlm_token_ids_append(vkvlm_token_ids *ids, const int32_t *src, size_t n) {
    if (ids->n + n > ids->cap) {
        size_t cap = ids->cap ? ids->cap : 64;
        while (cap < ids->n + n) cap *= 2;
        int32_t *p = realloc(ids->ids, cap * sizeof *p);
        if (!p) return VKVLM_ERR_OUT_OF_MEMORY;
        ids->ids = p;
        ids->cap = cap;
    }
    if (n) memcpy(ids->ids + ids->n, src, n * sizeof *src);
    ids->n += n;
    return VKVLM_OK;
}

int vkvlm_tok_append_replaced(vkvlm_token_text *out, const char *s, size_t len, const tok_string *pattern,
                              const tok_string *content) {
    size_t i = 0, from = 0;
    if (pattern->len == 0) return vkvlm_token_text_append(out, s, len);
    while (i + pattern->len <= len) {
        if (memcmp(s + i, pattern->data, pattern->len) == 0) {
            if (vkvlm_token_text_append(out, s + from, i - from) != 0) return -1;
            if (vkvlm_token_text_append(out, content->data, content->len) != 0) return -1;
            i += pattern->len;
            from = i;
        } else {
            i++;
        }
    }
    return vkvlm_token_text_append(out, s + from, len - from);
}

/* ---------------------------------------------------------------- lookups */

size_t vkvlm_tokenizer_vocab_size(const vkvlm_tokenizer *tok) { return tok->vocab_size; }

const char *vkvlm_tokenizer_token(const vkvlm_tokenizer *tok, int32_t id) {
    if (id < 0 || (size_t)id >= tok->vocab_size || !tok->token_present[id]) return NULL;
    return tok->token_chars + tok->token_offset[id];
}

int32_t vkvlm_tokenizer_token_id(const vkvlm_tokenizer *tok, const char *token) {
    int32_t id;
    size_t len = strlen(token);
    if (vkvlm_str_map_get(&tok->added_ids, token, len, &id)) return id;
    if (vkvlm_str_map_get(&tok->bpe.vocab, token, len, &id)) return id;
    return -1;
}

int vkvlm_tokenizer_is_special(const vkvlm_tokenizer *tok, int32_t id) {
    if (id < 0 || (size_t)id >= tok->vocab_size) return 0;
    return tok->token_special[id];
}

int32_t vkvlm_tokenizer_bos_id(const vkvlm_tokenizer *tok) { return tok->bos_id; }
int32_t vkvlm_tokenizer_eos_id(const vkvlm_tokenizer *tok) { return tok->eos_id; }
int32_t vkvlm_tokenizer_pad_id(const vkvlm_tokenizer *tok) { return tok->pad_id; }
int32_t vkvlm_tokenizer_unk_id(const vkvlm_tokenizer *tok) { return tok->unk_id; }

/* ---------------------------------------------------------------- tables built after loading */

typedef struct matcher_key {
    unsigned char first; /* first byte of the pattern */
    size_t len;          /* pattern length: longer first */
    uint32_t index;      /* index into tok->added: ties keep file order */
} matcher_key;

static int matcher_key_cmp(const void *pa, const void *pb) {
    const matcher_key *a = pa, *b = pb;
    if (a->first != b->first) return a->first < b->first ? -1 : 1;
    if (a->len != b->len) return a->len > b->len ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int build_matcher(vkvlm_tokenizer *tok, tok_matcher *m, int normalized) {
    size_t n = 0;
    matcher_key *keys = malloc((tok->n_added ? tok->n_added : 1) * sizeof *keys);
    if (!keys) return -1;
    for (size_t k = 0; k < tok->n_added; k++) {
        const tok_added_token *a = &tok->added[k];
        if (a->is_normalized != normalized) continue;
        const tok_string *pat = normalized ? &a->normalized : &a->content;
        if (pat->len == 0) continue;
        keys[n++] = (matcher_key){.first = (unsigned char)pat->data[0], .len = pat->len, .index = (uint32_t)k};
    }
    qsort(keys, n, sizeof *keys, matcher_key_cmp);
    m->order = malloc((n ? n : 1) * sizeof *m->order);
    if (!m->order) {
        free(keys);
        return -1;
    }
    memset(m->bucket, 0, sizeof m->bucket);
    for (size_t k = 0; k < n; k++) {
        m->order[k] = keys[k].index;
        m->bucket[keys[k].first + 1]++;
    }
    for (int b = 0; b < 256; b++) m->bucket[b + 1] += m->bucket[b];
    free(keys);
    return 0;
}

vkvlm_status vkvlm_tok_finish(vkvlm_tokenizer *tok, vkvlm_error *err) {
    const char *label = tok->label;
    /* Normalized forms of `normalized` added tokens, matched after the normalizer ran. */
    for (size_t k = 0; k < tok->n_added; k++) {
        tok_added_token *a = &tok->added[k];
        if (!a->is_normalized) continue;
        vkvlm_token_text t = {0};
        int rc = vkvlm_tok_normalize(tok, a->content.data, a->content.len, &t);
        if (rc == 0) rc = vkvlm_tok_string_set(&a->normalized, t.data ? t.data : "", t.len);
        vkvlm_token_text_free(&t);
        if (rc != 0) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
    }
    if (build_matcher(tok, &tok->raw_matcher, 0) != 0 || build_matcher(tok, &tok->norm_matcher, 1) != 0)
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory", label);

    /* Id space: model vocab and added tokens; an added token's string wins over the model's for its id. */
    const vkvlm_str_map *vocab = &tok->bpe.vocab;
    size_t size = 0;
    for (size_t k = 0; k < vocab->count; k++)
        if ((size_t)vocab->entries[k].value + 1 > size) size = (size_t)vocab->entries[k].value + 1;
    for (size_t k = 0; k < tok->n_added; k++)
        if ((size_t)tok->added[k].id + 1 > size) size = (size_t)tok->added[k].id + 1;
    tok->vocab_size = size;
    const char **src = calloc(size ? size : 1, sizeof *src);
    tok->token_offset = calloc(size ? size : 1, sizeof *tok->token_offset);
    tok->token_len = calloc(size ? size : 1, sizeof *tok->token_len);
    tok->token_present = calloc(size ? size : 1, 1);
    tok->token_special = calloc(size ? size : 1, 1);
    if (!src || !tok->token_offset || !tok->token_len || !tok->token_present || !tok->token_special) {
        free(src);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory for %zu token ids", label, size);
    }
    for (size_t k = 0; k < vocab->count; k++) {
        int32_t id = vocab->entries[k].value;
        src[id] = vocab->keys + vocab->entries[k].key_offset;
        tok->token_len[id] = vocab->entries[k].key_len;
        tok->token_present[id] = 1;
    }
    for (size_t k = 0; k < tok->n_added; k++) {
        int32_t id = tok->added[k].id;
        src[id] = tok->added[k].content.data;
        tok->token_len[id] = (uint32_t)tok->added[k].content.len;
        tok->token_present[id] = 1;
    }
    size_t total = 0;
    for (size_t id = 0; id < size; id++) total += tok->token_present[id] ? tok->token_len[id] + 1 : 0;
    if (total > UINT32_MAX) {
        free(src);
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "%s: token strings total %zu bytes, over 4 GiB", label, total);
    }
    tok->token_chars = malloc(total ? total : 1);
    if (!tok->token_chars) {
        free(src);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
    }
    size_t at = 0;
    for (size_t id = 0; id < size; id++) {
        if (!tok->token_present[id]) continue;
        tok->token_offset[id] = (uint32_t)at;
        memcpy(tok->token_chars + at, src[id], tok->token_len[id]);
        at += tok->token_len[id];
        tok->token_chars[at++] = '\0';
    }
    free(src);

    /* skip_special_tokens tests the token *string* against the special set, as HF does. */
    vkvlm_str_map specials = {0};
    for (size_t k = 0; k < tok->n_added; k++) {
        const tok_added_token *a = &tok->added[k];
        if (a->special && vkvlm_str_map_put(&specials, a->content.data, a->content.len, 1) != 0) {
            vkvlm_str_map_free(&specials);
            return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
        }
    }
    for (size_t id = 0; id < size && specials.count; id++) {
        int32_t one;
        if (tok->token_present[id] &&
            vkvlm_str_map_get(&specials, tok->token_chars + tok->token_offset[id], tok->token_len[id], &one))
            tok->token_special[id] = 1;
    }
    vkvlm_str_map_free(&specials);
    return VKVLM_OK;
}

void vkvlm_tokenizer_destroy(vkvlm_tokenizer *tok) {
    if (!tok) return;
    free(tok->label);
    vkvlm_bpe_free(&tok->bpe);
    for (size_t k = 0; k < tok->n_added; k++) {
        vkvlm_tok_string_free(&tok->added[k].content);
        vkvlm_tok_string_free(&tok->added[k].normalized);
    }
    free(tok->added);
    vkvlm_str_map_free(&tok->added_ids);
    free(tok->raw_matcher.order);
    free(tok->norm_matcher.order);
    for (size_t k = 0; k < tok->n_normalizers; k++) {
        vkvlm_tok_string_free(&tok->normalizers[k].pattern);
        vkvlm_tok_string_free(&tok->normalizers[k].content);
    }
    free(tok->normalizers);
    free(tok->pretokenizers);
    for (size_t k = 0; k < tok->n_decoders; k++) {
        vkvlm_tok_string_free(&tok->decoders[k].pattern);
        vkvlm_tok_string_free(&tok->decoders[k].content);
    }
    free(tok->decoders);
    free(tok->post_prefix);
    free(tok->post_suffix);
    free(tok->token_offset);
    free(tok->token_len);
    free(tok->token_present);
    free(tok->token_special);
    free(tok->token_chars);
    free(tok);
}
