/* token_map.h — the two hash tables behind the tokenizer: token string -> id, and token-id pair -> merge.
 *
 * Does: open addressing with linear probing, power-of-two capacity kept at most half full, FNV-1a for
 * strings and a 64-bit mixer for pairs. The string map owns copies of its keys. Inserting an existing key
 * overwrites its value (Hugging Face builds both tables with HashMap::collect, where a later duplicate wins).
 * Does not: delete entries, iterate in insertion order, or lock (one writer while loading, then read-only).
 */
#ifndef VKVLM_IO_TOKEN_MAP_H
#define VKVLM_IO_TOKEN_MAP_H

#include <stddef.h>
#include <stdint.h>

/* String -> int32 map. Zero-initialised is an empty, usable map. */
typedef struct vkvlm_str_map {
    uint32_t *slots; /* capacity entries: 0 = empty, else 1 + index into entries */
    size_t capacity; /* slots, a power of two (0 before the first insert) */
    struct vkvlm_str_map_entry {
        size_t key_offset; /* byte offset of the key in keys */
        uint32_t key_len;  /* key length in bytes */
        uint32_t hash;     /* FNV-1a of the key, kept to skip most memcmp calls */
        int32_t value;     /* the id */
    } * entries;           /* count used of entries_cap */
    size_t count;          /* keys stored */
    size_t entries_cap;    /* allocated entries */
    char *keys;            /* all key bytes back to back (not NUL-terminated) */
    size_t keys_len;       /* bytes used in keys */
    size_t keys_cap;       /* bytes allocated for keys */
} vkvlm_str_map;

/* Inserts or overwrites. Returns 0, or -1 when out of memory (the map is unchanged then). */
int vkvlm_str_map_put(vkvlm_str_map *map, const char *key, size_t len, int32_t value);
/* Returns 1 and sets *value when key is present, else 0. */
int vkvlm_str_map_get(const vkvlm_str_map *map, const char *key, size_t len, int32_t *value);
void vkvlm_str_map_free(vkvlm_str_map *map);

/* A BPE merge as the pair table stores it. */
typedef struct vkvlm_merge {
    int32_t rank;   /* position in the merges list: lower merges first */
    int32_t new_id; /* id of the merged token */
} vkvlm_merge;

/* (left id, right id) -> merge map. Zero-initialised is an empty, usable map. */
typedef struct vkvlm_pair_map {
    struct vkvlm_pair_map_slot {
        uint64_t key;      /* left << 32 | right, both as uint32 */
        vkvlm_merge merge; /* the value */
        int used;          /* 1 when the slot holds a key */
    } * slots;             /* capacity entries */
    size_t capacity;       /* a power of two (0 before the first insert) */
    size_t count;          /* pairs stored */
} vkvlm_pair_map;

int vkvlm_pair_map_put(vkvlm_pair_map *map, int32_t left, int32_t right, vkvlm_merge merge);
int vkvlm_pair_map_get(const vkvlm_pair_map *map, int32_t left, int32_t right, vkvlm_merge *merge);
void vkvlm_pair_map_free(vkvlm_pair_map *map);

#endif
