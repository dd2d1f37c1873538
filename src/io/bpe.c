/* bpe.c — BPE word tokenization (see bpe.h for what it matches and what it leaves out). */
#include "io/bpe.h"

#include <stdlib.h>
#include <string.h>

#include "io/unicode.h"

void vkvlm_bpe_init(vkvlm_bpe *bpe) {
    memset(bpe, 0, sizeof *bpe);
    bpe->unk_id = -1;
    for (int b = 0; b < 256; b++) bpe->byte_ids[b] = -1;
}

void vkvlm_bpe_free(vkvlm_bpe *bpe) {
    if (!bpe) return;
    vkvlm_str_map_free(&bpe->vocab);
    vkvlm_pair_map_free(&bpe->merges);
}

void vkvlm_bpe_scratch_free(vkvlm_bpe_scratch *scratch) {
    if (!scratch) return;
    free(scratch->symbols);
    free(scratch->heap);
    memset(scratch, 0, sizeof *scratch);
}

static int ids_push(int32_t **ids, size_t *n, size_t *cap, int32_t id) {
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        int32_t *p = realloc(*ids, c * sizeof *p);
        if (!p) return -1;
        *ids = p;
        *cap = c;
    }
    (*ids)[(*n)++] = id;
    return 0;
}

/* ---------------------------------------------------------------- symbols */

/* Appends one symbol to the word being built; n_symbols counts them. */
static int symbol_push(vkvlm_bpe_scratch *s, size_t *n_symbols, int32_t id) {
    if (*n_symbols == s->symbols_cap) {
        size_t c = s->symbols_cap ? s->symbols_cap * 2 : 64;
        void *p = realloc(s->symbols, c * sizeof *s->symbols);
        if (!p) return -1;
        s->symbols = p;
        s->symbols_cap = c;
    }
    size_t i = (*n_symbols)++;
    s->symbols[i] = (struct vkvlm_bpe_symbol){.id = id, .prev = (int32_t)i - 1, .next = -1, .live = 1};
    if (i > 0) s->symbols[i - 1].next = (int32_t)i;
    return 0;
}

/* The initial symbols, as merge_word builds them. A pending unk is only written out when a known character
 * follows or at the end, so bytes from a byte fallback can land before it: the same order HF produces. */
static int build_symbols(const vkvlm_bpe *bpe, vkvlm_bpe_scratch *s, const char *word, size_t len, size_t *n_symbols) {
    int have_unk = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = vkvlm_utf8_decode(word + i, len - i, &cp);
        if (n == 0) n = 1; /* callers pass valid UTF-8; a stray byte is treated as its own character */
        int32_t id;
        if (vkvlm_str_map_get(&bpe->vocab, word + i, n, &id)) {
            if (have_unk) {
                if (symbol_push(s, n_symbols, bpe->unk_id) != 0) return -1;
                have_unk = 0;
            }
            if (symbol_push(s, n_symbols, id) != 0) return -1;
            i += n;
            continue;
        }
        if (bpe->byte_fallback) {
            int all = 1;
            for (size_t k = 0; k < n; k++)
                if (bpe->byte_ids[(unsigned char)word[i + k]] < 0) all = 0;
            if (all) {
                for (size_t k = 0; k < n; k++)
                    if (symbol_push(s, n_symbols, bpe->byte_ids[(unsigned char)word[i + k]]) != 0) return -1;
                i += n;
                continue;
            }
        }
        if (bpe->unk_missing) return -2;
        if (bpe->unk_id >= 0) {
            if (have_unk && !bpe->fuse_unk && symbol_push(s, n_symbols, bpe->unk_id) != 0) return -1;
            have_unk = 1;
        }
        i += n;
    }
    if (have_unk && symbol_push(s, n_symbols, bpe->unk_id) != 0) return -1;
    return 0;
}

/* ---------------------------------------------------------------- the merge heap */

static int candidate_less(const struct vkvlm_bpe_candidate *a, const struct vkvlm_bpe_candidate *b) {
    return a->rank < b->rank || (a->rank == b->rank && a->pos < b->pos);
}

static int heap_push(vkvlm_bpe_scratch *s, size_t *n, struct vkvlm_bpe_candidate c) {
    if (*n == s->heap_cap) {
        size_t cap = s->heap_cap ? s->heap_cap * 2 : 64;
        void *p = realloc(s->heap, cap * sizeof *s->heap);
        if (!p) return -1;
        s->heap = p;
        s->heap_cap = cap;
    }
    size_t i = (*n)++;
    s->heap[i] = c;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!candidate_less(&s->heap[i], &s->heap[parent])) break;
        struct vkvlm_bpe_candidate t = s->heap[i];
        s->heap[i] = s->heap[parent];
        s->heap[parent] = t;
        i = parent;
    }
    return 0;
}

static struct vkvlm_bpe_candidate heap_pop(vkvlm_bpe_scratch *s, size_t *n) {
    struct vkvlm_bpe_candidate top = s->heap[0];
    s->heap[0] = s->heap[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *n && candidate_less(&s->heap[l], &s->heap[m])) m = l;
        if (r < *n && candidate_less(&s->heap[r], &s->heap[m])) m = r;
        if (m == i) break;
        struct vkvlm_bpe_candidate t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
    return top;
}

/* Queues the merge of symbol pos with its right neighbour, if the pair has one. */
static int queue_pair(const vkvlm_bpe *bpe, vkvlm_bpe_scratch *s, size_t *heap_n, int32_t pos) {
    int32_t next = s->symbols[pos].next;
    if (next < 0) return 0;
    vkvlm_merge m;
    if (!vkvlm_pair_map_get(&bpe->merges, s->symbols[pos].id, s->symbols[next].id, &m)) return 0;
    return heap_push(s, heap_n, (struct vkvlm_bpe_candidate){.rank = m.rank, .pos = pos, .new_id = m.new_id});
}

/* Applies merges lowest rank first, leftmost first among equal ranks. An entry is stale when its left
 * symbol was absorbed or the pair at its position changed since it was queued. */
static int merge_all(const vkvlm_bpe *bpe, vkvlm_bpe_scratch *s, size_t n_symbols) {
    size_t heap_n = 0;
    for (size_t i = 0; i + 1 < n_symbols; i++)
        if (queue_pair(bpe, s, &heap_n, (int32_t)i) != 0) return -1;
    while (heap_n > 0) {
        struct vkvlm_bpe_candidate top = heap_pop(s, &heap_n);
        struct vkvlm_bpe_symbol *left = &s->symbols[top.pos];
        if (!left->live || left->next < 0) continue;
        struct vkvlm_bpe_symbol *right = &s->symbols[left->next];
        vkvlm_merge m;
        if (!vkvlm_pair_map_get(&bpe->merges, left->id, right->id, &m) || m.new_id != top.new_id) continue;
        left->id = top.new_id;
        right->live = 0;
        left->next = right->next;
        if (right->next >= 0) s->symbols[right->next].prev = top.pos;
        if (left->prev >= 0 && queue_pair(bpe, s, &heap_n, left->prev) != 0) return -1;
        if (queue_pair(bpe, s, &heap_n, top.pos) != 0) return -1;
    }
    return 0;
}

int vkvlm_bpe_tokenize(const vkvlm_bpe *bpe, vkvlm_bpe_scratch *scratch, const char *word, size_t len, int32_t **ids,
                       size_t *n, size_t *cap) {
    if (len == 0) return 0;
    int32_t whole;
    if (bpe->ignore_merges && vkvlm_str_map_get(&bpe->vocab, word, len, &whole)) return ids_push(ids, n, cap, whole);
    size_t n_symbols = 0;
    int rc = build_symbols(bpe, scratch, word, len, &n_symbols);
    if (rc != 0) return rc;
    if (n_symbols > INT32_MAX) return -1;
    if (merge_all(bpe, scratch, n_symbols) != 0) return -1;
    for (size_t i = 0; i < n_symbols; i++)
        if (scratch->symbols[i].live && ids_push(ids, n, cap, scratch->symbols[i].id) != 0) return -1;
    return 0;
}
