/* tokenizer.h — Hugging Face tokenizer.json, loaded and run exactly like the `tokenizers` library.
 *
 * Does: load tokenizer.json (plus tokenizer_config.json / special_tokens_map.json for the bos/eos/pad/unk
 * names) and encode text to ids / decode ids to text with tokenizers' pipeline: added tokens first
 * (leftmost-longest, with single_word / lstrip / rstrip / normalized), then normalizer, pre-tokenizer, BPE
 * model, post-processor; decoding runs the decoder chain. Components implemented — the ones LLaVA-1.5
 * (SentencePiece-style BPE with byte fallback) and SmolVLM (GPT-2 byte-level BPE) tokenizers use:
 *   normalizer      Sequence, Prepend, Replace (string pattern), null
 *   pre_tokenizer   Sequence, ByteLevel (GPT-2 regex), Digits, Metaspace, null
 *   model           BPE (byte_fallback, unk_token, fuse_unk, ignore_merges; merges as "a b" or ["a","b"])
 *   post_processor  TemplateProcessing (single), ByteLevel (offsets only: no id change), Sequence, null
 *   decoder         Sequence, Replace, ByteFallback, Fuse, Strip, ByteLevel, Metaspace, null
 * Anything else (Unigram/WordPiece models, NFC normalizers, regex Split, BERT parts) is refused at load
 * time with VKVLM_ERR_UNSUPPORTED naming the file and field, so a model never runs with a wrong tokenizer.
 * Does not: truncate or pad (tokenizer.json "truncation"/"padding" are ignored: the engine wants the whole
 * prompt), encode pairs, compute offsets, or apply transformers-level behaviour on top of tokenizer.json
 * (LlamaTokenizerFast's add_bos_token rewrite of the post-processor, clean_up_tokenization_spaces).
 *
 * A loaded tokenizer is read-only: encode/decode on one tokenizer from several threads is safe. Text in and
 * out is UTF-8; encode rejects invalid UTF-8 (VKVLM_ERR_USAGE, naming the byte offset), as a Python str
 * could never hold it.
 */
#ifndef VKVLM_IO_TOKENIZER_H
#define VKVLM_IO_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "vkvlm.h"

typedef struct vkvlm_tokenizer vkvlm_tokenizer;

/* A growable id array, caller-owned. Zero-initialised is empty; encode appends; free releases. */
typedef struct vkvlm_token_ids {
    int32_t *ids; /* n ids */
    size_t n;     /* ids in use */
    size_t cap;   /* ids allocated */
} vkvlm_token_ids;
void vkvlm_token_ids_free(vkvlm_token_ids *ids);
/* Appends n ids. Returns VKVLM_OK or VKVLM_ERR_OUT_OF_MEMORY (ids unchanged); it records no message. */
vkvlm_status vkvlm_token_ids_append(vkvlm_token_ids *ids, const int32_t *src, size_t n);

/* A growable UTF-8 buffer, caller-owned. Zero-initialised is empty; decode appends; data is
 * NUL-terminated whenever it is non-NULL; free releases. */
typedef struct vkvlm_token_text {
    char *data; /* len bytes + NUL */
    size_t len; /* bytes in use, NUL excluded */
    size_t cap; /* bytes allocated */
} vkvlm_token_text;
void vkvlm_token_text_free(vkvlm_token_text *text);
/* Appends len bytes, keeping data NUL-terminated (also for len 0, so data is then non-NULL). Returns VKVLM_OK
 * or VKVLM_ERR_OUT_OF_MEMORY (text unchanged); it records no message. */
vkvlm_status vkvlm_token_text_append(vkvlm_token_text *text, const char *data, size_t len);

/* Where the tokenizer comes from. Give each file either as a path or as bytes in memory (the web build and
 * the fuzzer have no files); bytes win when both are set.
 * The default configuration is:
 *   json_path/json_text       required (one of them)
 *   config_path/config_text   none: bos/eos/pad/unk names come from special_tokens_map, else stay unset
 *   special_tokens_map_*      none
 *   label                     json_path, else "tokenizer.json": the name every message starts with */
typedef struct vkvlm_tokenizer_desc {
    const char *json_path;               /* tokenizer.json */
    const char *json_text;               /* tokenizer.json contents (not NUL-terminated: json_len bytes) */
    size_t json_len;                     /* bytes of json_text */
    const char *config_path;             /* tokenizer_config.json (optional) */
    const char *config_text;             /* its contents (optional) */
    size_t config_len;                   /* bytes of config_text */
    const char *special_tokens_map_path; /* special_tokens_map.json (optional) */
    const char *special_tokens_map_text; /* its contents (optional) */
    size_t special_tokens_map_len;       /* bytes of special_tokens_map_text */
    const char *label;                   /* name used in messages */
} vkvlm_tokenizer_desc;

/* Loads a tokenizer. On failure *out is NULL and err names the file and field (VKVLM_ERR_IO, _FORMAT,
 * _UNSUPPORTED, _LIMIT or _OUT_OF_MEMORY). */
vkvlm_status vkvlm_tokenizer_create(const vkvlm_tokenizer_desc *desc, vkvlm_tokenizer **out, vkvlm_error *err);
/* Loads DIR/tokenizer.json and, where they exist, DIR/tokenizer_config.json and DIR/special_tokens_map.json. */
vkvlm_status vkvlm_tokenizer_create_from_dir(const char *dir, vkvlm_tokenizer **out, vkvlm_error *err);
/* Accepts NULL. */
void vkvlm_tokenizer_destroy(vkvlm_tokenizer *tok);

/* Encodes text[0..len) and appends the ids to *out. add_special_tokens: 1 runs the post-processor (LLaVA's
 * BOS `<s>`), 0 leaves it out — HF's encode(text, add_special_tokens=...). Added tokens in the text (e.g.
 * `<image>`) are always recognised. On failure *out keeps what it held before. */
vkvlm_status vkvlm_tokenizer_encode(const vkvlm_tokenizer *tok, const char *text, size_t len, int add_special_tokens,
                                    vkvlm_token_ids *out, vkvlm_error *err);

/* Decodes ids and appends the text to *out, like HF's decode(ids, skip_special_tokens). Ids with no token are
 * skipped, as HF does. */
vkvlm_status vkvlm_tokenizer_decode(const vkvlm_tokenizer *tok, const int32_t *ids, size_t n, int skip_special_tokens,
                                    vkvlm_token_text *out, vkvlm_error *err);

/* Lookups. Ids run over [0, vocab_size): model vocab and added tokens together (the largest id + 1). */
size_t vkvlm_tokenizer_vocab_size(const vkvlm_tokenizer *tok);
/* The token's string (NUL-terminated, owned by tok; byte-level tokens in their GPT-2 alphabet form, e.g.
 * "Ġthe"), or NULL when id has no token. */
const char *vkvlm_tokenizer_token(const vkvlm_tokenizer *tok, int32_t id);
/* The id of a token string (added tokens first, then the model vocab), or -1. */
int32_t vkvlm_tokenizer_token_id(const vkvlm_tokenizer *tok, const char *token);
/* 1 when id is a special added token (skipped by skip_special_tokens). */
int vkvlm_tokenizer_is_special(const vkvlm_tokenizer *tok, int32_t id);
/* Ids of the special tokens named by tokenizer_config.json (else special_tokens_map.json): -1 when unset
 * or not in the vocabulary. */
int32_t vkvlm_tokenizer_bos_id(const vkvlm_tokenizer *tok);
int32_t vkvlm_tokenizer_eos_id(const vkvlm_tokenizer *tok);
int32_t vkvlm_tokenizer_pad_id(const vkvlm_tokenizer *tok);
int32_t vkvlm_tokenizer_unk_id(const vkvlm_tokenizer *tok);

/* ---------------------------------------------------------------- streaming decode
 * For generation: push ids one at a time and get the text that is final so far. Text is held back while
 * the decoded tail ends in U+FFFD (an incomplete UTF-8 sequence split across byte tokens), exactly like
 * tokenizers' DecodeStream (step): each push decodes a short window of recent ids and emits what it adds
 * beyond the previous window's text, so leading-space stripping and byte fallback behave as in a full
 * decode. flush emits what is still held back (a trailing U+FFFD stays U+FFFD). The concatenation of
 * everything pushed and flushed equals vkvlm_tokenizer_decode of all ids for the LLaVA and SmolVLM decoders
 * (tested); where HF's DecodeStream would fail with InvalidPrefix, this emits the window's new text instead. */
typedef struct vkvlm_tokenizer_stream vkvlm_tokenizer_stream;

vkvlm_status vkvlm_tokenizer_stream_create(const vkvlm_tokenizer *tok, int skip_special_tokens,
                                           vkvlm_tokenizer_stream **out, vkvlm_error *err);
/* Accepts NULL. */
void vkvlm_tokenizer_stream_destroy(vkvlm_tokenizer_stream *stream);
/* Appends the newly final text (possibly nothing) to *out. */
vkvlm_status vkvlm_tokenizer_stream_push(vkvlm_tokenizer_stream *stream, int32_t id, vkvlm_token_text *out,
                                         vkvlm_error *err);
/* Appends the held-back text to *out and starts over with an empty history. */
vkvlm_status vkvlm_tokenizer_stream_flush(vkvlm_tokenizer_stream *stream, vkvlm_token_text *out, vkvlm_error *err);

#endif
