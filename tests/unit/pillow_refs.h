/* pillow_refs.h — reading tests/data/pillow_refs.txt, the Pillow/transformers oracle hashes, for the unit tests.
 *
 * tests/data/gen_pillow_refs.py wrote the file (see its docstring for what each line means); this header gives
 * the tests the same synthetic images it drew (test_pattern) and the same 64-bit FNV-1a hash, so a line can be
 * checked without Python. Test code only: it prints and aborts freely.
 */
#ifndef VKVLM_TESTS_PILLOW_REFS_H
#define VKVLM_TESTS_PILLOW_REFS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* [h, w, c] uint8 pixels: 0 = LCG noise, 1 = hard 0/255 edges, 2 = smooth gradients (as the generator). */
static inline uint8_t *test_pattern(int w, int h, int c, int pattern) {
    size_t n = (size_t)w * (size_t)h * (size_t)c;
    uint8_t *p = malloc(n ? n : 1);
    if (!p) abort();
    uint64_t x = (uint64_t)(w * 31 + h * 17 + c) & 0x7FFFFFFFu;
    for (int y = 0; y < h; y++)
        for (int xx = 0; xx < w; xx++)
            for (int k = 0; k < c; k++) {
                size_t i = ((size_t)y * (size_t)w + (size_t)xx) * (size_t)c + (size_t)k;
                if (pattern == 0) {
                    x = (x * 1103515245u + 12345u) & 0x7FFFFFFFu;
                    p[i] = (uint8_t)((x >> 16) & 255);
                } else if (pattern == 1) {
                    p[i] = (uint8_t)((((xx / (k + 1)) + y / 2) & 1) * 255);
                } else {
                    int den = w - 1 > 1 ? w - 1 : 1;
                    p[i] = (uint8_t)((xx * 255 / den + y * (k + 1) * 7) & 255);
                }
            }
    return p;
}

static inline uint64_t test_fnv1a64(const void *data, size_t n) {
    const uint8_t *p = data;
    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001B3ull;
    }
    return h;
}

/* The lines of pillow_refs.txt that start with kind (e.g. "resample"), NUL-separated in one malloc'd block;
 * *count gets how many. Returns NULL when VKVLM_SOURCE_DIR is unset or the file is missing. */
static inline char *test_refs_lines(const char *kind, int *count) {
    *count = 0;
    const char *src = getenv("VKVLM_SOURCE_DIR");
    if (!src || !*src) return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/pillow_refs.txt", src);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 20, n = 0;
    char *out = malloc(cap);
    char line[512];
    size_t klen = strlen(kind);
    while (out && fgets(line, sizeof line, f)) {
        if (strncmp(line, kind, klen) != 0 || line[klen] != ' ') continue;
        size_t len = strcspn(line, "\r\n");
        if (n + len + 1 > cap) break;
        memcpy(out + n, line, len);
        out[n + len] = '\0';
        n += len + 1;
        (*count)++;
    }
    fclose(f);
    return out;
}

#endif
