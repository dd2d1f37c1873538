/* tokenizer_decode.c — ids to text (vkvlm_tokenizer_decode) and the streaming decoder.
 *
 * Decode maps ids to token strings (dropping special ones on request), runs the decoder steps over the
 * list of strings — each step maps a list to a new list, as tokenizers' decode_chain does — and joins the
 * result (with ' ' when the file has no decoder, as HF does). The stream replays tokenizers' DecodeStream.
 * Does not: encode, or clean up tokenization spaces (transformers' clean_up_tokenization_spaces).
 */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "io/byte_level.h"
#include "io/tokenizer_parts.h"
#include "io/unicode.h"

/* ---------------------------------------------------------------- decoders
 * Each decoder step maps a list of strings to a new list, as tokenizers' decode_chain does. */

typedef struct str_list {
    vkvlm_token_text buf; /* the strings' bytes */
    size_t *off;          /* n starts in buf */
    size_t *len;          /* n lengths */
    size_t n;             /* strings in use */
    size_t cap;           /* strings allocated */
} str_list;

static void str_list_free(str_list *l) {
    vkvlm_token_text_free(&l->buf);
    free(l->off);
    free(l->len);
    memset(l, 0, sizeof *l);
}

static void str_list_reset(str_list *l) {
    l->n = 0;
    l->buf.len = 0;
}

/* Starts a new (empty) string; later appends to buf extend it until str_list_end. */
static int str_list_begin(str_list *l) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        size_t *o = realloc(l->off, cap * sizeof *o);
        if (!o) return -1;
        l->off = o;
        size_t *n = realloc(l->len, cap * sizeof *n);
        if (!n) return -1;
        l->len = n;
        l->cap = cap;
    }
    l->off[l->n] = l->buf.len;
    l->len[l->n] = 0;
    l->n++;
    /* Keep buf non-NULL so every string has a valid address, even an empty one. */
    return vkvlm_token_text_append(&l->buf, "", 0);
}

static void str_list_end(str_list *l) { l->len[l->n - 1] = l->buf.len - l->off[l->n - 1]; }

static int str_list_push(str_list *l, const char *s, size_t len) {
    if (str_list_begin(l) != 0 || vkvlm_token_text_append(&l->buf, s, len) != 0) return -1;
    str_list_end(l);
    return 0;
}

/* Appends bytes as UTF-8 with U+FFFD for each maximal invalid subpart (String::from_utf8_lossy). */
static int append_lossy(vkvlm_token_text *out, const char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = vkvlm_utf8_decode(s + i, len - i, &cp);
        if (n > 0) {
            if (vkvlm_token_text_append(out, s + i, n) != 0) return -1;
            i += n;
        } else {
            if (vkvlm_tok_text_append_cp(out, VKVLM_UNICODE_REPLACEMENT) != 0) return -1;
            i += vkvlm_utf8_invalid_run(s + i, len - i);
        }
    }
    return 0;
}

/* The byte of a "<0xNN>" token, as ByteFallback reads it (u8::from_str_radix, which also takes a '+'). */
static int byte_token_value(const char *s, size_t len) {
    if (len != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>') return -1;
    int v = 0;
    for (int k = 3; k < 5; k++) {
        char c = s[k];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (k == 3 && c == '+') continue;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

static int flush_bytes(str_list *out, vkvlm_token_text *bytes) {
    if (bytes->len == 0) return 0;
    int rc = 0;
    if (vkvlm_utf8_first_invalid(bytes->data, bytes->len) == bytes->len) {
        rc = str_list_push(out, bytes->data, bytes->len);
    } else {
        for (size_t k = 0; rc == 0 && k < bytes->len; k++) rc = str_list_push(out, "\xEF\xBF\xBD", 3);
    }
    bytes->len = 0;
    return rc;
}

static int decode_byte_fallback(const str_list *in, str_list *out) {
    vkvlm_token_text bytes = {0};
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < in->n; k++) {
        const char *s = in->buf.data + in->off[k];
        int v = byte_token_value(s, in->len[k]);
        if (v >= 0) {
            char c = (char)v;
            rc = vkvlm_token_text_append(&bytes, &c, 1);
            continue;
        }
        rc = flush_bytes(out, &bytes);
        if (rc == 0) rc = str_list_push(out, s, in->len[k]);
    }
    if (rc == 0) rc = flush_bytes(out, &bytes);
    vkvlm_token_text_free(&bytes);
    return rc;
}

static int decode_strip(const tok_decoder *step, const str_list *in, str_list *out) {
    for (size_t k = 0; k < in->n; k++) {
        const char *s = in->buf.data + in->off[k];
        size_t len = in->len[k];
        /* Leading: up to strip_start characters equal to strip_char. */
        size_t begin = 0, count = 0;
        while (count < step->strip_start && begin < len) {
            uint32_t cp;
            size_t n = vkvlm_utf8_decode(s + begin, len - begin, &cp);
            if (n == 0 || cp != step->strip_char) break;
            begin += n;
            count++;
        }
        /* Trailing: up to strip_stop, never into what the leading cut removed. */
        size_t end = len;
        count = 0;
        while (count < step->strip_stop && end > begin) {
            size_t start = end - 1;
            while (start > begin && ((unsigned char)s[start] & 0xC0) == 0x80) start--;
            uint32_t cp;
            if (vkvlm_utf8_decode(s + start, end - start, &cp) != end - start || cp != step->strip_char) break;
            end = start;
            count++;
        }
        if (str_list_push(out, s + begin, end - begin) != 0) return -1;
    }
    return 0;
}

static int decode_byte_level(const str_list *in, str_list *out) {
    vkvlm_token_text bytes = {0};
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < in->n; k++) {
        const char *s = in->buf.data + in->off[k];
        size_t len = in->len[k], start = bytes.len, i = 0;
        int all = 1;
        while (rc == 0 && i < len) {
            uint32_t cp;
            size_t n = vkvlm_utf8_decode(s + i, len - i, &cp);
            int b = n ? vkvlm_byte_level_byte(cp) : -1;
            if (b < 0) {
                all = 0;
                break;
            }
            char c = (char)b;
            rc = vkvlm_token_text_append(&bytes, &c, 1);
            i += n;
        }
        /* A token outside the alphabet (an added token like "<image>" can be) contributes its own bytes. */
        if (rc == 0 && !all) {
            bytes.len = start;
            rc = vkvlm_token_text_append(&bytes, s, len);
        }
    }
    if (rc == 0 && str_list_begin(out) == 0) {
        rc = append_lossy(&out->buf, bytes.data ? bytes.data : "", bytes.len);
        str_list_end(out);
    } else {
        rc = -1;
    }
    vkvlm_token_text_free(&bytes);
    return rc;
}

static int decode_metaspace(const tok_decoder *step, const str_list *in, str_list *out) {
    for (size_t k = 0; k < in->n; k++) {
        const char *s = in->buf.data + in->off[k];
        size_t len = in->len[k], i = 0;
        if (str_list_begin(out) != 0) return -1;
        while (i < len) {
            uint32_t cp;
            size_t n = vkvlm_utf8_decode(s + i, len - i, &cp);
            if (n == 0) {
                n = 1; /* decoder input is UTF-8; a stray byte is copied through */
                cp = (unsigned char)s[i];
            }
            int rc;
            if (cp == step->replacement)
                rc = (k == 0 && step->prepend) ? 0 : vkvlm_token_text_append(&out->buf, " ", 1);
            else
                rc = vkvlm_token_text_append(&out->buf, s + i, n);
            if (rc != 0) return -1;
            i += n;
        }
        str_list_end(out);
    }
    return 0;
}

static int decode_step(const tok_decoder *step, const str_list *in, str_list *out) {
    switch (step->kind) {
    case TOK_DECODER_REPLACE:
        for (size_t k = 0; k < in->n; k++) {
            if (str_list_begin(out) != 0) return -1;
            if (vkvlm_tok_append_replaced(&out->buf, in->buf.data + in->off[k], in->len[k], &step->pattern,
                                          &step->content) != 0)
                return -1;
            str_list_end(out);
        }
        return 0;
    case TOK_DECODER_BYTE_FALLBACK: return decode_byte_fallback(in, out);
    case TOK_DECODER_FUSE:
        if (str_list_begin(out) != 0) return -1;
        for (size_t k = 0; k < in->n; k++)
            if (vkvlm_token_text_append(&out->buf, in->buf.data + in->off[k], in->len[k]) != 0) return -1;
        str_list_end(out);
        return 0;
    case TOK_DECODER_STRIP: return decode_strip(step, in, out);
    case TOK_DECODER_BYTE_LEVEL: return decode_byte_level(in, out);
    case TOK_DECODER_METASPACE: return decode_metaspace(step, in, out);
    }
    return -1;
}

static int decode_pipeline(const vkvlm_tokenizer *tok, const int32_t *ids, size_t n, int skip_special,
                           vkvlm_token_text *out) {
    str_list lists[2];
    memset(lists, 0, sizeof lists);
    str_list *cur = &lists[0], *next = &lists[1];
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        int32_t id = ids[k];
        if (id < 0 || (size_t)id >= tok->vocab_size || !tok->token_present[id]) continue;
        if (skip_special && tok->token_special[id]) continue;
        rc = str_list_push(cur, tok->token_chars + tok->token_offset[id], tok->token_len[id]);
    }
    for (size_t k = 0; rc == 0 && k < tok->n_decoders; k++) {
        str_list_reset(next);
        rc = decode_step(&tok->decoders[k], cur, next);
        str_list *t = cur;
        cur = next;
        next = t;
    }
    for (size_t k = 0; rc == 0 && k < cur->n; k++) {
        if (!tok->has_decoder && k > 0) rc = vkvlm_token_text_append(out, " ", 1);
        if (rc == 0) rc = vkvlm_token_text_append(out, cur->buf.data + cur->off[k], cur->len[k]);
    }
    if (rc == 0 && !out->data) rc = vkvlm_token_text_append(out, "", 0);
    str_list_free(&lists[0]);
    str_list_free(&lists[1]);
    return rc;
}

vkvlm_status vkvlm_tokenizer_decode(const vkvlm_tokenizer *tok, const int32_t *ids, size_t n, int skip_special_tokens,
                                    vkvlm_token_text *out, vkvlm_error *err) {
    size_t before = out->len;
    if (decode_pipeline(tok, ids, n, skip_special_tokens, out) != 0) {
        if (out->data) {
            out->len = before;
            out->data[before] = '\0';
        }
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory while decoding %zu ids", tok->label, n);
    }
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- streaming decode */

struct vkvlm_tokenizer_stream {
    const vkvlm_tokenizer *tok; /* not owned */
    int skip_special;           /* passed to every decode */
    vkvlm_token_ids ids;        /* the window: ids decoded together at the next push */
    vkvlm_token_text prefix;    /* decode of ids[0..prefix_index): text already emitted from this window */
    size_t prefix_index;        /* ids at the window's start that only give context */
    vkvlm_token_text scratch;   /* decode of the whole window */
};

vkvlm_status vkvlm_tokenizer_stream_create(const vkvlm_tokenizer *tok, int skip_special_tokens,
                                           vkvlm_tokenizer_stream **out, vkvlm_error *err) {
    *out = calloc(1, sizeof **out);
    if (!*out)
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory for a decode stream", tok->label);
    (*out)->tok = tok;
    (*out)->skip_special = skip_special_tokens;
    return VKVLM_OK;
}

void vkvlm_tokenizer_stream_destroy(vkvlm_tokenizer_stream *stream) {
    if (!stream) return;
    vkvlm_token_ids_free(&stream->ids);
    vkvlm_token_text_free(&stream->prefix);
    vkvlm_token_text_free(&stream->scratch);
    free(stream);
}

static int ends_with_replacement(const vkvlm_token_text *t) {
    return t->len >= 3 && memcmp(t->data + t->len - 3, "\xEF\xBF\xBD", 3) == 0;
}

/* Emits what the window adds beyond prefix: its tail when it extends prefix, otherwise (HF's InvalidPrefix)
 * the decode of the ids after the prefix on their own. */
static int stream_emit(vkvlm_tokenizer_stream *s, vkvlm_token_text *out) {
    if (s->scratch.len >= s->prefix.len &&
        memcmp(s->scratch.data, s->prefix.data ? s->prefix.data : "", s->prefix.len) == 0)
        return vkvlm_token_text_append(out, s->scratch.data + s->prefix.len, s->scratch.len - s->prefix.len);
    return decode_pipeline(s->tok, s->ids.ids + s->prefix_index, s->ids.n - s->prefix_index, s->skip_special, out);
}

/* One DecodeStream step; returns 0 or -1 (out of memory). */
static int stream_step(vkvlm_tokenizer_stream *s, int32_t id, vkvlm_token_text *out) {
    if (vkvlm_token_ids_append(&s->ids, &id, 1) != 0) return -1;
    s->scratch.len = 0;
    if (decode_pipeline(s->tok, s->ids.ids, s->ids.n, s->skip_special, &s->scratch) != 0) return -1;
    if (s->scratch.len <= s->prefix.len || ends_with_replacement(&s->scratch)) return 0;
    if (stream_emit(s, out) != 0) return -1;
    /* Slide the window: the ids after the old prefix stay as context for the next push. */
    size_t new_prefix_index = s->ids.n - s->prefix_index;
    memmove(s->ids.ids, s->ids.ids + s->prefix_index, new_prefix_index * sizeof *s->ids.ids);
    s->ids.n = new_prefix_index;
    s->prefix.len = 0;
    if (decode_pipeline(s->tok, s->ids.ids, s->ids.n, s->skip_special, &s->prefix) != 0) return -1;
    s->prefix_index = new_prefix_index;
    return 0;
}

vkvlm_status vkvlm_tokenizer_stream_push(vkvlm_tokenizer_stream *s, int32_t id, vkvlm_token_text *out,
                                         vkvlm_error *err) {
    if (stream_step(s, id, out) != 0)
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory in a decode stream", s->tok->label);
    return VKVLM_OK;
}

vkvlm_status vkvlm_tokenizer_stream_flush(vkvlm_tokenizer_stream *s, vkvlm_token_text *out, vkvlm_error *err) {
    s->scratch.len = 0;
    int rc = decode_pipeline(s->tok, s->ids.ids, s->ids.n, s->skip_special, &s->scratch);
    if (rc == 0 && s->scratch.len > s->prefix.len) rc = stream_emit(s, out);
    s->ids.n = 0;
    s->prefix.len = 0;
    s->prefix_index = 0;
    if (rc != 0)
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory in a decode stream", s->tok->label);
    return VKVLM_OK;
}
