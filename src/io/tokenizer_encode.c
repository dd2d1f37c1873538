/* tokenizer_encode.c — text to ids (vkvlm_tokenizer_encode), following tokenizers'
 * TokenizerImpl::encode_single_sequence step for step:
 *   1. split the raw text on added tokens whose `normalized` is false (leftmost-longest);
 *   2. normalize each remaining piece, then split it on the `normalized` added tokens;
 *   3. pre-tokenize each remaining piece into words (empty pieces vanish at every step, as in HF);
 *   4. BPE each word (bpe.c);
 *   5. post-process: the template's ids around the sequence when add_special_tokens.
 * Does not: decode, or track offsets / type ids / attention masks.
 */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "io/byte_level.h"
#include "io/tokenizer_parts.h"
#include "io/unicode.h"

/* ---------------------------------------------------------------- piece lists
 * A list of text pieces whose bytes live in the list's own buffer; a piece may instead be an added token,
 * already resolved to its id. */

typedef struct piece {
    size_t off;   /* start of the text in the list's buffer */
    size_t len;   /* bytes of text */
    int32_t id;   /* >= 0: an added token (no text to tokenize); -1: text */
    int at_start; /* 1: the piece begins at byte 0 of the input (Metaspace prepend_scheme "first") */
} piece;

typedef struct piece_list {
    piece *items;         /* n pieces */
    size_t n;             /* pieces in use */
    size_t cap;           /* pieces allocated */
    vkvlm_token_text buf; /* the pieces' bytes */
} piece_list;

static void piece_list_reset(piece_list *l) {
    l->n = 0;
    l->buf.len = 0;
}

static void piece_list_free(piece_list *l) {
    free(l->items);
    vkvlm_token_text_free(&l->buf);
    memset(l, 0, sizeof *l);
}

static piece *piece_new(piece_list *l) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        piece *p = realloc(l->items, cap * sizeof *p);
        if (!p) return NULL;
        l->items = p;
        l->cap = cap;
    }
    piece *p = &l->items[l->n++];
    *p = (piece){.off = l->buf.len, .len = 0, .id = -1, .at_start = 0};
    return p;
}

/* Adds a text piece (skipped when empty, as HF drops empty splits). */
static int piece_add_text(piece_list *l, const char *s, size_t len, int at_start) {
    if (len == 0) return 0;
    piece *p = piece_new(l);
    if (!p) return -1;
    p->at_start = at_start;
    if (vkvlm_token_text_append(&l->buf, s, len) != 0) return -1;
    p->len = len;
    return 0;
}

static int piece_add_token(piece_list *l, int32_t id) {
    piece *p = piece_new(l);
    if (!p) return -1;
    p->id = id;
    return 0;
}

/* ---------------------------------------------------------------- added tokens */

static int cp_before(const char *s, size_t end, uint32_t *cp) {
    if (end == 0) return 0;
    size_t start = end - 1;
    while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80) start--;
    return vkvlm_utf8_decode(s + start, end - start, cp) == end - start;
}

/* Start of the white-space run that ends at s[end] (\s*$ on s[0..end)). */
static size_t white_space_run_start(const char *s, size_t end) {
    uint32_t cp;
    while (end > 0 && cp_before(s, end, &cp) && vkvlm_unicode_is_white_space(cp)) {
        size_t start = end - 1;
        while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80) start--;
        end = start;
    }
    return end;
}

/* End of the white-space run that starts at s[i] (^\s* on s[i..len)). */
static size_t white_space_run_end(const char *s, size_t len, size_t i) {
    while (i < len) {
        uint32_t cp;
        size_t n = vkvlm_utf8_decode(s + i, len - i, &cp);
        if (n == 0 || !vkvlm_unicode_is_white_space(cp)) break;
        i += n;
    }
    return i;
}

/* Length of the longest added token of the matcher at s[i], or 0; *which gets its index in tok->added. */
static size_t match_at(const vkvlm_tokenizer *tok, const tok_matcher *m, const char *s, size_t len, size_t i,
                       size_t *which) {
    unsigned char b = (unsigned char)s[i];
    for (uint32_t k = m->bucket[b]; k < m->bucket[b + 1]; k++) {
        const tok_added_token *a = &tok->added[m->order[k]];
        const tok_string *pat = m == &tok->norm_matcher ? &a->normalized : &a->content;
        if (pat->len <= len - i && memcmp(s + i, pat->data, pat->len) == 0) {
            *which = m->order[k];
            return pat->len;
        }
    }
    return 0;
}

/* AddedVocabulary::find_matches + split_with_indices: cuts s into text and added-token pieces. Matches are
 * found leftmost-longest and non-overlapping; a match rejected by single_word still consumes its bytes,
 * exactly like aho-corasick's iterator that tokenizers uses. */
static int split_added(const vkvlm_tokenizer *tok, const tok_matcher *m, const char *s, size_t len, int at_start,
                       piece_list *out) {
    size_t start_offset = 0, i = 0;
    if (m->bucket[256] == 0) return piece_add_text(out, s, len, at_start);
    while (i < len) {
        size_t which;
        size_t n = match_at(tok, m, s, len, i, &which);
        if (n == 0) {
            i++;
            continue;
        }
        size_t start = i, stop = i + n;
        i = stop;
        const tok_added_token *a = &tok->added[which];
        if (a->single_word) {
            uint32_t cp;
            int word_before = cp_before(s, start, &cp) && vkvlm_unicode_is_word(cp);
            int word_after = stop < len && vkvlm_utf8_decode(s + stop, len - stop, &cp) && vkvlm_unicode_is_word(cp);
            if (word_before || word_after) continue;
        }
        if (a->lstrip) {
            size_t new_start = white_space_run_start(s, start);
            start = new_start > start_offset ? new_start : start_offset;
        }
        if (a->rstrip) stop = white_space_run_end(s, len, stop);
        /* As in HF, a match that begins inside white space an earlier rstrip swallowed is still emitted, and
         * start_offset may then move back: the pieces follow HF's splits even in that corner. */
        if (start_offset < start &&
            piece_add_text(out, s + start_offset, start - start_offset, at_start && start_offset == 0) != 0)
            return -1;
        if (piece_add_token(out, a->id) != 0) return -1;
        start_offset = stop;
    }
    if (start_offset < len)
        return piece_add_text(out, s + start_offset, len - start_offset, at_start && start_offset == 0);
    return 0;
}

/* ---------------------------------------------------------------- normalizer */

int vkvlm_tok_normalize(const vkvlm_tokenizer *tok, const char *text, size_t len, vkvlm_token_text *out) {
    if (tok->n_normalizers == 0) return vkvlm_token_text_append(out, text, len);
    vkvlm_token_text a = {0}, b = {0};
    int rc = vkvlm_token_text_append(&a, text, len);
    for (size_t k = 0; rc == 0 && k < tok->n_normalizers; k++) {
        const tok_normalizer *step = &tok->normalizers[k];
        b.len = 0;
        if (step->kind == TOK_NORMALIZER_PREPEND) {
            if (a.len > 0) rc = vkvlm_token_text_append(&b, step->pattern.data, step->pattern.len);
            if (rc == 0) rc = vkvlm_token_text_append(&b, a.data, a.len);
        } else {
            rc = vkvlm_tok_append_replaced(&b, a.data, a.len, &step->pattern, &step->content);
        }
        vkvlm_token_text t = a;
        a = b;
        b = t;
    }
    if (rc == 0) rc = vkvlm_token_text_append(out, a.data, a.len);
    vkvlm_token_text_free(&a);
    vkvlm_token_text_free(&b);
    return rc;
}

/* ---------------------------------------------------------------- pre-tokenizers */

static int pretok_byte_level(const tok_pretokenizer *step, const piece_list *in, piece_list *out) {
    vkvlm_token_text tmp = {0};
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < in->n; k++) {
        const piece *p = &in->items[k];
        const char *s = in->buf.data + p->off;
        size_t len = p->len;
        if (step->add_prefix_space && s[0] != ' ') {
            tmp.len = 0;
            if (vkvlm_token_text_append(&tmp, " ", 1) != 0 || vkvlm_token_text_append(&tmp, s, len) != 0) {
                rc = -1;
                break;
            }
            s = tmp.data;
            len = tmp.len;
        }
        size_t i = 0;
        while (rc == 0 && i < len) {
            size_t n = step->use_regex ? vkvlm_byte_level_next_piece(s + i, len - i) : len;
            piece *q = piece_new(out);
            if (!q) {
                rc = -1;
                break;
            }
            q->at_start = p->at_start && i == 0;
            for (size_t j = 0; rc == 0 && j < n; j++)
                rc = vkvlm_tok_text_append_cp(&out->buf, vkvlm_byte_level_char((unsigned char)s[i + j]));
            q->len = out->buf.len - q->off;
            i += n;
        }
    }
    vkvlm_token_text_free(&tmp);
    return rc;
}

static int pretok_digits(const tok_pretokenizer *step, const piece_list *in, piece_list *out) {
    for (size_t k = 0; k < in->n; k++) {
        const piece *p = &in->items[k];
        const char *s = in->buf.data + p->off;
        size_t i = 0, run = 0;
        int run_numeric = 0;
        while (i < p->len) {
            uint32_t cp;
            size_t n = vkvlm_utf8_decode(s + i, p->len - i, &cp);
            if (n == 0) {
                n = 1; /* pieces are valid UTF-8; a stray byte counts as a non-number */
                cp = VKVLM_UNICODE_REPLACEMENT;
            }
            int numeric = vkvlm_unicode_is_number(cp);
            /* A numeric character closes the run before it; individually, it also closes its own. */
            int cut = i > run && (numeric != run_numeric || (numeric && step->individual_digits));
            if (cut) {
                if (piece_add_text(out, s + run, i - run, p->at_start && run == 0) != 0) return -1;
                run = i;
            }
            run_numeric = numeric;
            i += n;
        }
        if (piece_add_text(out, s + run, p->len - run, p->at_start && run == 0) != 0) return -1;
    }
    return 0;
}

static int pretok_metaspace(const tok_pretokenizer *step, const piece_list *in, piece_list *out) {
    char rep[4];
    size_t rep_len = vkvlm_utf8_encode(step->replacement, rep);
    vkvlm_token_text tmp = {0};
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < in->n; k++) {
        const piece *p = &in->items[k];
        tmp.len = 0;
        tok_string space = {.data = " ", .len = 1}, with = {.data = rep, .len = rep_len};
        rc = vkvlm_tok_append_replaced(&tmp, in->buf.data + p->off, p->len, &space, &with);
        if (rc != 0) break;
        int starts = tmp.len >= rep_len && memcmp(tmp.data, rep, rep_len) == 0;
        int prepend = !starts && (step->prepend_scheme == TOK_PREPEND_ALWAYS ||
                                  (step->prepend_scheme == TOK_PREPEND_FIRST && p->at_start));
        if (prepend) {
            vkvlm_token_text joined = {0};
            if (vkvlm_token_text_append(&joined, rep, rep_len) != 0 ||
                vkvlm_token_text_append(&joined, tmp.data, tmp.len) != 0) {
                vkvlm_token_text_free(&joined);
                rc = -1;
                break;
            }
            vkvlm_token_text_free(&tmp);
            tmp = joined;
        }
        if (!step->split) {
            rc = piece_add_text(out, tmp.data, tmp.len, p->at_start);
            continue;
        }
        /* MergedWithNext: every replacement char opens a new piece. */
        size_t run = 0;
        for (size_t i = 0; rc == 0 && i + rep_len <= tmp.len; i++) {
            if (i > run && memcmp(tmp.data + i, rep, rep_len) == 0) {
                rc = piece_add_text(out, tmp.data + run, i - run, p->at_start && run == 0);
                run = i;
            }
        }
        if (rc == 0) rc = piece_add_text(out, tmp.data + run, tmp.len - run, p->at_start && run == 0);
    }
    vkvlm_token_text_free(&tmp);
    return rc;
}

/* Working memory of one encode call. */
typedef struct encode_scratch {
    piece_list raw;              /* step 1 output */
    piece_list norm;             /* step 2 output */
    piece_list words[2];         /* pre-tokenizer ping-pong */
    vkvlm_token_text normalized; /* one normalized piece */
    vkvlm_bpe_scratch bpe;       /* BPE symbols and heap */
} encode_scratch;

static void encode_scratch_free(encode_scratch *s) {
    piece_list_free(&s->raw);
    piece_list_free(&s->norm);
    piece_list_free(&s->words[0]);
    piece_list_free(&s->words[1]);
    vkvlm_token_text_free(&s->normalized);
    vkvlm_bpe_scratch_free(&s->bpe);
}

/* Steps 3 and 4 for one text piece. Returns 0, -1 (out of memory) or -2 (unk token missing). */
static int encode_words(const vkvlm_tokenizer *tok, encode_scratch *s, const char *text, size_t len, int at_start,
                        vkvlm_token_ids *out) {
    piece_list *cur = &s->words[0], *next = &s->words[1];
    piece_list_reset(cur);
    if (piece_add_text(cur, text, len, at_start) != 0) return -1;
    for (size_t k = 0; k < tok->n_pretokenizers; k++) {
        const tok_pretokenizer *step = &tok->pretokenizers[k];
        piece_list_reset(next);
        int rc = step->kind == TOK_PRETOKENIZER_BYTE_LEVEL ? pretok_byte_level(step, cur, next)
                 : step->kind == TOK_PRETOKENIZER_DIGITS   ? pretok_digits(step, cur, next)
                                                           : pretok_metaspace(step, cur, next);
        if (rc != 0) return rc;
        piece_list *t = cur;
        cur = next;
        next = t;
    }
    for (size_t k = 0; k < cur->n; k++) {
        const piece *p = &cur->items[k];
        int rc = vkvlm_bpe_tokenize(&tok->bpe, &s->bpe, cur->buf.data + p->off, p->len, &out->ids, &out->n, &out->cap);
        if (rc != 0) return rc;
    }
    return 0;
}

static int encode_pipeline(const vkvlm_tokenizer *tok, encode_scratch *s, const char *text, size_t len,
                           vkvlm_token_ids *out) {
    if (split_added(tok, &tok->raw_matcher, text, len, 1, &s->raw) != 0) return -1;
    for (size_t k = 0; k < s->raw.n; k++) {
        const piece *p = &s->raw.items[k];
        if (p->id >= 0) {
            if (vkvlm_token_ids_append(out, &p->id, 1) != 0) return -1;
            continue;
        }
        s->normalized.len = 0;
        if (vkvlm_tok_normalize(tok, s->raw.buf.data + p->off, p->len, &s->normalized) != 0) return -1;
        piece_list_reset(&s->norm);
        if (split_added(tok, &tok->norm_matcher, s->normalized.data, s->normalized.len, p->at_start, &s->norm) != 0)
            return -1;
        for (size_t j = 0; j < s->norm.n; j++) {
            const piece *q = &s->norm.items[j];
            int rc;
            if (q->id >= 0)
                rc = vkvlm_token_ids_append(out, &q->id, 1) == VKVLM_OK ? 0 : -1;
            else
                rc = encode_words(tok, s, s->norm.buf.data + q->off, q->len, q->at_start, out);
            if (rc != 0) return rc;
        }
    }
    return 0;
}

vkvlm_status vkvlm_tokenizer_encode(const vkvlm_tokenizer *tok, const char *text, size_t len, int add_special_tokens,
                                    vkvlm_token_ids *out, vkvlm_error *err) {
    size_t bad = vkvlm_utf8_first_invalid(text, len);
    if (bad != len)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE,
                               "%s: cannot encode: the text is not valid UTF-8 at byte %zu (0x%02X)", tok->label, bad,
                               (unsigned)(unsigned char)text[bad]);
    size_t before = out->n;
    encode_scratch s = {0};
    int rc = 0;
    if (add_special_tokens) rc = vkvlm_token_ids_append(out, tok->post_prefix, tok->n_post_prefix);
    if (rc == 0) rc = encode_pipeline(tok, &s, text, len, out);
    if (rc == 0 && add_special_tokens) rc = vkvlm_token_ids_append(out, tok->post_suffix, tok->n_post_suffix);
    encode_scratch_free(&s);
    if (rc != 0) {
        out->n = before;
        if (rc == -2)
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                                   "%s: model.unk_token is needed for this text but is not in model.vocab", tok->label);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory while encoding %zu bytes", tok->label,
                               len);
    }
    return VKVLM_OK;
}
