/* token_map.c — the string and pair hash tables declared in token_map.h. */
#include "io/token_map.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- string -> id */

static uint32_t fnv1a(const char *s, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

/* Slot index holding key, or the empty slot where it would go. capacity must be > 0. */
static size_t str_map_find(const vkvlm_str_map *map, const char *key, size_t len, uint32_t hash) {
    size_t mask = map->capacity - 1;
    size_t i = hash & mask;
    for (;;) {
        uint32_t slot = map->slots[i];
        if (slot == 0) return i;
        const struct vkvlm_str_map_entry *e = &map->entries[slot - 1];
        if (e->hash == hash && e->key_len == len && memcmp(map->keys + e->key_offset, key, len) == 0) return i;
        i = (i + 1) & mask;
    }
}

static int str_map_grow(vkvlm_str_map *map) {
    size_t capacity = map->capacity ? map->capacity * 2 : 64;
    uint32_t *slots = calloc(capacity, sizeof *slots);
    if (!slots) return -1;
    free(map->slots);
    map->slots = slots;
    map->capacity = capacity;
    for (size_t j = 0; j < map->count; j++) {
        const struct vkvlm_str_map_entry *e = &map->entries[j];
        size_t i = str_map_find(map, map->keys + e->key_offset, e->key_len, e->hash);
        map->slots[i] = (uint32_t)(j + 1);
    }
    return 0;
}

int vkvlm_str_map_put(vkvlm_str_map *map, const char *key, size_t len, int32_t value) {
    if (len > UINT32_MAX || map->count >= UINT32_MAX - 1) return -1;
    if ((map->count + 1) * 2 > map->capacity && str_map_grow(map) != 0) return -1;
    uint32_t hash = fnv1a(key, len);
    size_t i = str_map_find(map, key, len, hash);
    if (map->slots[i] != 0) {
        map->entries[map->slots[i] - 1].value = value;
        return 0;
    }
    if (map->count == map->entries_cap) {
        size_t cap = map->entries_cap ? map->entries_cap * 2 : 64;
        void *p = realloc(map->entries, cap * sizeof *map->entries);
        if (!p) return -1;
        map->entries = p;
        map->entries_cap = cap;
    }
    if (map->keys_len + len > map->keys_cap) {
        size_t cap = map->keys_cap ? map->keys_cap : 1024;
        while (cap < map->keys_len + len) cap *= 2;
        char *p = realloc(map->keys, cap);
        if (!p) return -1;
        map->keys = p;
        map->keys_cap = cap;
    }
    if (len) memcpy(map->keys + map->keys_len, key, len);
    map->entries[map->count] = (struct vkvlm_str_map_entry){
        .key_offset = map->keys_len, .key_len = (uint32_t)len, .hash = hash, .value = value};
    map->keys_len += len;
    map->count++;
    map->slots[i] = (uint32_t)map->count;
    return 0;
}

int vkvlm_str_map_get(const vkvlm_str_map *map, const char *key, size_t len, int32_t *value) {
    if (map->capacity == 0) return 0;
    size_t i = str_map_find(map, key, len, fnv1a(key, len));
    if (map->slots[i] == 0) return 0;
    *value = map->entries[map->slots[i] - 1].value;
    return 1;
}

void vkvlm_str_map_free(vkvlm_str_map *map) {
    if (!map) return;
    free(map->slots);
    free(map->entries);
    free(map->keys);
    memset(map, 0, sizeof *map);
}

/* ---------------------------------------------------------------- (id, id) -> merge */

static uint64_t pair_key(int32_t left, int32_t right) { return ((uint64_t)(uint32_t)left << 32) | (uint32_t)right; }

/* splitmix64's finalizer: pair keys are small dense integers, which a plain modulus would cluster. */
static uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

static size_t pair_map_find(const vkvlm_pair_map *map, uint64_t key) {
    size_t mask = map->capacity - 1;
    size_t i = (size_t)mix64(key) & mask;
    while (map->slots[i].used && map->slots[i].key != key) i = (i + 1) & mask;
    return i;
}

static int pair_map_grow(vkvlm_pair_map *map) {
    size_t capacity = map->capacity ? map->capacity * 2 : 64;
    struct vkvlm_pair_map_slot *old = map->slots;
    size_t old_capacity = map->capacity;
    map->slots = calloc(capacity, sizeof *map->slots);
    if (!map->slots) {
        map->slots = old;
        return -1;
    }
    map->capacity = capacity;
    for (size_t j = 0; j < old_capacity; j++) {
        if (!old[j].used) continue;
        map->slots[pair_map_find(map, old[j].key)] = old[j];
    }
    free(old);
    return 0;
}

int vkvlm_pair_map_put(vkvlm_pair_map *map, int32_t left, int32_t right, vkvlm_merge merge) {
    if ((map->count + 1) * 2 > map->capacity && pair_map_grow(map) != 0) return -1;
    uint64_t key = pair_key(left, right);
    size_t i = pair_map_find(map, key);
    if (!map->slots[i].used) map->count++;
    map->slots[i] = (struct vkvlm_pair_map_slot){.key = key, .merge = merge, .used = 1};
    return 0;
}

int vkvlm_pair_map_get(const vkvlm_pair_map *map, int32_t left, int32_t right, vkvlm_merge *merge) {
    if (map->capacity == 0) return 0;
    size_t i = pair_map_find(map, pair_key(left, right));
    if (!map->slots[i].used) return 0;
    *merge = map->slots[i].merge;
    return 1;
}

void vkvlm_pair_map_free(vkvlm_pair_map *map) {
    if (!map) return;
    free(map->slots);
    memset(map, 0, sizeof *map);
}
