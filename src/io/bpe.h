/* bpe.h — the byte-pair-encoding model of a Hugging Face tokenizer.json ("model": {"type": "BPE", ...}).
 *
 * Does: turn one pre-tokenized word (valid UTF-8) into token ids exactly as tokenizers' BPE::merge_word +
 * Word::merge_all do: one symbol per character (its vocab id; else, with byte_fallback, one <0xNN> symbol
 * per byte when all of them exist; else unk, fused when fuse_unk; else dropped, as HF does without an
 * unk_token), then repeatedly apply the lowest-ranked merge, leftmost first, through a binary heap (so a long
 * SentencePiece-style "word", i.e. a whole prompt, costs O(n log n)), and `ignore_merges` (a word that is
 * itself a token is emitted whole).
 * Does not: parse JSON (tokenizer_json.c fills the struct), dropout, continuing_subword_prefix or
 * end_of_word_suffix (the loader rejects those), or any caching.
 */
#ifndef VKVLM_IO_BPE_H
#define VKVLM_IO_BPE_H

#include <stddef.h>
#include <stdint.h>

#include "io/token_map.h"

typedef struct vkvlm_bpe {
    vkvlm_str_map vocab;   /* model vocab: token string -> id (added tokens are not in it) */
    vkvlm_pair_map merges; /* (left id, right id) -> (rank, merged id) */
    int32_t unk_id;        /* id of unk_token, -1 when the model has none */
    int unk_missing;       /* 1: unk_token is named but not in vocab (HF fails when it is needed) */
    int fuse_unk;          /* 1: consecutive unknown characters become one unk */
    int byte_fallback;     /* 1: unknown characters become their <0xNN> byte tokens */
    int ignore_merges;     /* 1: a word found in vocab is one token, merges not consulted */
    int32_t byte_ids[256]; /* id of "<0xNN>" for each byte value, -1 where the vocab lacks it */
} vkvlm_bpe;

/* Working memory reused across words; zero-initialised is valid, vkvlm_bpe_scratch_free releases it. */
typedef struct vkvlm_bpe_scratch {
    struct vkvlm_bpe_symbol {
        int32_t id;     /* token id of this symbol */
        int32_t prev;   /* index of the previous live symbol, -1 at the start */
        int32_t next;   /* index of the next live symbol, -1 at the end */
        int32_t live;   /* 0 once merged into its left neighbour */
    } * symbols;        /* one per initial symbol of the word */
    size_t symbols_cap; /* allocated symbols */
    struct vkvlm_bpe_candidate {
        int32_t rank;   /* merge rank: the heap's first key */
        int32_t pos;    /* index of the left symbol: the second key (leftmost first) */
        int32_t new_id; /* merged id, to detect entries made stale by earlier merges */
    } * heap;           /* binary min-heap of candidate merges */
    size_t heap_cap;    /* allocated heap entries */
} vkvlm_bpe_scratch;

void vkvlm_bpe_init(vkvlm_bpe *bpe);
void vkvlm_bpe_free(vkvlm_bpe *bpe);
void vkvlm_bpe_scratch_free(vkvlm_bpe_scratch *scratch);

/* Tokenizes word[0..len) (valid UTF-8) and appends the ids to *ids (a malloc'd array of *n used, *cap
 * allocated, grown with realloc). Returns 0; -1 when out of memory; -2 when an unknown character needs the
 * unk token and unk_missing is set (HF's UnkTokenOutOfVocabulary). */
int vkvlm_bpe_tokenize(const vkvlm_bpe *bpe, vkvlm_bpe_scratch *scratch, const char *word, size_t len, int32_t **ids,
                       size_t *n, size_t *cap);

#endif
