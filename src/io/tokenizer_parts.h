/* tokenizer_parts.h — the inside of a vkvlm_tokenizer, shared by its loader and its pipeline.
 *
 * Does: define the component structs (normalizer, pre-tokenizer, decoder steps, post-processor template,
 * added tokens) that tokenizer_json.c fills from tokenizer.json and tokenizer_encode.c / tokenizer_decode.c
 * run, plus the few helpers those files share. Nested Sequence
 * components are flattened into one ordered step list at load time.
 * Does not: hold any behaviour, and is not part of the public API (only src/io/tokenizer*.c include it).
 */
#ifndef VKVLM_IO_TOKENIZER_PARTS_H
#define VKVLM_IO_TOKENIZER_PARTS_H

#include <stddef.h>
#include <stdint.h>

#include "io/bpe.h"
#include "io/token_map.h"
#include "io/tokenizer.h"

/* A byte string owned by the tokenizer. */
typedef struct tok_string {
    char *data; /* len bytes + NUL, malloc'd */
    size_t len; /* bytes, NUL excluded */
} tok_string;

typedef enum tok_normalizer_kind {
    TOK_NORMALIZER_PREPEND = 1, /* text = what to put in front of non-empty input */
    TOK_NORMALIZER_REPLACE,     /* pattern -> content, every non-overlapping occurrence, left to right */
} tok_normalizer_kind;

typedef struct tok_normalizer {
    tok_normalizer_kind kind; /* which step */
    tok_string pattern;       /* Prepend: the prefix; Replace: the string searched for */
    tok_string content;       /* Replace: the replacement */
} tok_normalizer;

typedef enum tok_prepend_scheme {
    TOK_PREPEND_ALWAYS = 1, /* Metaspace: every piece gets a leading replacement char */
    TOK_PREPEND_FIRST,      /* only the piece at the start of the input text */
    TOK_PREPEND_NEVER,      /* none */
} tok_prepend_scheme;

typedef enum tok_pretokenizer_kind {
    TOK_PRETOKENIZER_BYTE_LEVEL = 1, /* GPT-2 split + byte alphabet */
    TOK_PRETOKENIZER_DIGITS,         /* numbers isolated (individually or as runs) */
    TOK_PRETOKENIZER_METASPACE,      /* ' ' -> replacement, prepend, split before each replacement */
} tok_pretokenizer_kind;

typedef struct tok_pretokenizer {
    tok_pretokenizer_kind kind;        /* which step */
    int add_prefix_space;              /* ByteLevel: prepend ' ' to pieces that lack one */
    int use_regex;                     /* ByteLevel: split with the GPT-2 pattern */
    int individual_digits;             /* Digits: one piece per digit instead of per run */
    uint32_t replacement;              /* Metaspace: the space stand-in (U+2581 '▁') */
    tok_prepend_scheme prepend_scheme; /* Metaspace: when to prepend the replacement */
    int split;                         /* Metaspace: split before each replacement char */
} tok_pretokenizer;

typedef enum tok_decoder_kind {
    TOK_DECODER_REPLACE = 1,   /* per token: pattern -> content */
    TOK_DECODER_BYTE_FALLBACK, /* runs of <0xNN> tokens -> their bytes (U+FFFD per byte if not UTF-8) */
    TOK_DECODER_FUSE,          /* all tokens -> one */
    TOK_DECODER_STRIP,         /* per token: drop up to start leading / stop trailing `content` chars */
    TOK_DECODER_BYTE_LEVEL,    /* all tokens -> bytes via the GPT-2 alphabet, then lossy UTF-8 */
    TOK_DECODER_METASPACE,     /* per token: replacement -> ' ', none at all in the first token if prepending */
} tok_decoder_kind;

typedef struct tok_decoder {
    tok_decoder_kind kind; /* which step */
    tok_string pattern;    /* Replace: the string searched for */
    tok_string content;    /* Replace: the replacement */
    uint32_t strip_char;   /* Strip: the character removed */
    size_t strip_start;    /* Strip: at most this many leading ones */
    size_t strip_stop;     /* Strip: at most this many trailing ones */
    uint32_t replacement;  /* Metaspace: the space stand-in */
    int prepend;           /* Metaspace: prepend_scheme is not "never" */
} tok_decoder;

typedef struct tok_added_token {
    tok_string content;    /* the text matched in the input */
    tok_string normalized; /* content after the normalizer: what `normalized` tokens are matched as */
    int32_t id;            /* the id tokenizer.json gives it */
    int special;           /* skipped by decode(skip_special_tokens) */
    int single_word;       /* only matches with no word character right before or after */
    int lstrip;            /* swallows white space on its left */
    int rstrip;            /* swallows white space on its right */
    int is_normalized;     /* matched in normalized text (after the normalizer) instead of raw text */
} tok_added_token;

/* Added tokens of one kind (raw or normalized), ready for leftmost-longest matching: indices into
 * added[] bucketed by first byte, longest first within a bucket. */
typedef struct tok_matcher {
    uint32_t *order;      /* indices into vkvlm_tokenizer.added, grouped by first byte */
    uint32_t bucket[257]; /* order[bucket[b] .. bucket[b+1]) start with byte b */
} tok_matcher;

struct vkvlm_tokenizer {
    char *label;   /* file name used in messages */
    vkvlm_bpe bpe; /* the model */

    tok_added_token *added;   /* added_tokens, in file order */
    size_t n_added;           /* entries in added */
    vkvlm_str_map added_ids;  /* added token content -> id */
    tok_matcher raw_matcher;  /* added tokens with normalized = false */
    tok_matcher norm_matcher; /* added tokens with normalized = true */

    tok_normalizer *normalizers;     /* normalizer steps in order (Sequence flattened) */
    size_t n_normalizers;            /* entries in normalizers */
    tok_pretokenizer *pretokenizers; /* pre-tokenizer steps in order */
    size_t n_pretokenizers;          /* entries in pretokenizers */
    tok_decoder *decoders;           /* decoder steps in order */
    size_t n_decoders;               /* entries in decoders */
    int has_decoder;                 /* 0: decode joins tokens with ' ' (HF without a decoder) */

    int32_t *post_prefix; /* ids the post-processor puts before the sequence (BOS) */
    size_t n_post_prefix; /* entries in post_prefix */
    int32_t *post_suffix; /* ids it puts after (EOS for some models) */
    size_t n_post_suffix; /* entries in post_suffix */

    size_t vocab_size;      /* largest id + 1 over model vocab and added tokens */
    uint32_t *token_offset; /* per id: offset of its string in token_chars, valid when token_present */
    uint32_t *token_len;    /* per id: byte length of its string */
    uint8_t *token_present; /* per id: 1 when the id has a token */
    uint8_t *token_special; /* per id: 1 when its string is a special added token */
    char *token_chars;      /* every id's string, each NUL-terminated */

    int32_t bos_id, eos_id, pad_id, unk_id; /* from tokenizer_config / special_tokens_map, -1 when unset */
};

/* Copies len bytes into a NUL-terminated tok_string. Returns 0 or -1 (out of memory). */
int vkvlm_tok_string_set(tok_string *s, const char *data, size_t len);
void vkvlm_tok_string_free(tok_string *s);

/* Applies the normalizer steps to text[0..len), appending the result to *out (tokenizer_encode.c). Shared by
 * the loader (to normalize `normalized` added tokens) and the pipeline. Returns 0, nonzero when out of
 * memory. */
int vkvlm_tok_normalize(const vkvlm_tokenizer *tok, const char *text, size_t len, vkvlm_token_text *out);

/* Appends the UTF-8 form of cp. Returns 0, nonzero when out of memory. */
int vkvlm_tok_text_append_cp(vkvlm_token_text *text, uint32_t cp);

/* Appends s[0..len) with every occurrence of pattern replaced by content (left to right, non-overlapping).
 * An empty pattern matches nothing, as in tokenizers. Returns 0, nonzero when out of memory. */
int vkvlm_tok_append_replaced(vkvlm_token_text *out, const char *s, size_t len, const tok_string *pattern,
                              const tok_string *content);

/* Builds the per-id tables and matchers after the loader filled bpe and added. */
vkvlm_status vkvlm_tok_finish(vkvlm_tokenizer *tok, vkvlm_error *err);

#endif
