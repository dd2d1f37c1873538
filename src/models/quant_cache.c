/* quant_cache.c — see quant_cache.h. */
#define _XOPEN_SOURCE 700
#include "models/quant_cache.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file_map.h"

/* Bumped whenever a block layout (gpu/quant.h) or this file's layout changes: old files then miss. */
enum { CACHE_VERSION = 1 };
static const char MAGIC[8] = {'V', 'K', 'V', 'L', 'M', 'Q', 'C', '1'};

typedef struct cache_entry {
    const char *name; /* in the map, not terminated */
    uint32_t name_len;
    const uint8_t *data;
    uint64_t bytes;
} cache_entry;

struct quant_cache {
    char path[PATH_MAX];
    char tmp_path[PATH_MAX + 32];
    char *key;
    vkvlm_file_map map;  /* the file read, if valid */
    cache_entry *entries;
    uint32_t n_entries;
    int hits;
    FILE *out;           /* the file being written, when none was valid */
    uint32_t written;
    bool failed;         /* a write failed: the file is not put in place */
};

static uint64_t pad16(uint64_t n) { return (n + 15) & ~(uint64_t)15; }

static uint64_t fnv1a(const char *s) {
    uint64_t h = UINT64_C(1469598103934665603);
    for (; *s; s++) h = (h ^ (uint8_t)*s) * UINT64_C(1099511628211);
    return h;
}

/* "format v1\n" then "realpath size mtime_ns\n" per shard. */
static char *make_key(const vkvlm_checkpoint *ck, const char *format) {
    size_t cap = 64 + ck->n_shards * (PATH_MAX + 64), used = 0;
    char *key = malloc(cap);
    if (!key) return NULL;
    used += (size_t)snprintf(key, cap, "%s v%d\n", format, CACHE_VERSION);
    for (size_t i = 0; i < ck->n_shards; i++) {
        const char *p = ck->shards[i].path;
        char real[PATH_MAX];
        struct stat sb;
        if (!realpath(p, real) || stat(real, &sb) != 0) {
            free(key);
            return NULL;
        }
        used += (size_t)snprintf(key + used, cap - used, "%s %lld %lld.%09ld\n", real, (long long)sb.st_size,
                                 (long long)sb.st_mtim.tv_sec, (long)sb.st_mtim.tv_nsec);
    }
    return key;
}

/* mkdir -p */
static bool make_dirs(const char *dir) {
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) return false;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return false;
        *p = '/';
    }
    return mkdir(buf, 0755) == 0 || errno == EEXIST;
}

static bool read_u32(const uint8_t *d, uint64_t size, uint64_t at, uint32_t *v) {
    if (at > size || size - at < 4) return false;
    memcpy(v, d + at, 4);
    return true;
}

static bool read_u64(const uint8_t *d, uint64_t size, uint64_t at, uint64_t *v) {
    if (at > size || size - at < 8) return false;
    memcpy(v, d + at, 8);
    return true;
}

/* Parses the mapped file; false (and no entries) for anything that does not add up. */
static bool parse(quant_cache *c) {
    const uint8_t *d = c->map.data;
    uint64_t size = c->map.size, key_len = 0, at = 24;
    uint32_t version = 0, count = 0;
    if (size < 24 || memcmp(d, MAGIC, 8) != 0 || !read_u32(d, size, 8, &version) || version != CACHE_VERSION ||
        !read_u32(d, size, 12, &count) || !read_u64(d, size, 16, &key_len))
        return false;
    if (key_len != strlen(c->key) || size - at < pad16(key_len) || memcmp(d + at, c->key, key_len) != 0) return false;
    at += pad16(key_len);
    if (count > size / 32) return false;
    c->entries = calloc(count ? count : 1, sizeof *c->entries);
    if (!c->entries) return false;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t name_len = 0;
        uint64_t bytes = 0;
        if (!read_u32(d, size, at, &name_len) || !read_u64(d, size, at + 8, &bytes)) return false;
        at += 16;
        if (size - at < pad16(name_len)) return false;
        cache_entry *e = &c->entries[i];
        e->name = (const char *)d + at;
        e->name_len = name_len;
        at += pad16(name_len);
        if (bytes > size - at || size - at - bytes < pad16(bytes) - bytes) return false;
        e->data = d + at;
        e->bytes = bytes;
        at += pad16(bytes);
    }
    c->n_entries = count;
    return at == size;
}

static bool write_padded(FILE *f, const void *data, uint64_t bytes) {
    static const uint8_t zeros[16];
    return fwrite(data, 1, bytes, f) == bytes && fwrite(zeros, 1, pad16(bytes) - bytes, f) == pad16(bytes) - bytes;
}

quant_cache *quant_cache_open(const vkvlm_checkpoint *ck, const char *format, const char *dir, char *warning,
                              size_t warning_size) {
    char base[PATH_MAX];
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (dir) snprintf(base, sizeof base, "%s", dir);
    else if (xdg && *xdg) snprintf(base, sizeof base, "%s/vkvlm/quant", xdg);
    else if (home && *home) snprintf(base, sizeof base, "%s/.cache/vkvlm/quant", home);
    else {
        snprintf(warning, warning_size, "no quantized-weight cache: neither XDG_CACHE_HOME nor HOME is set");
        return NULL;
    }
    quant_cache *c = calloc(1, sizeof *c);
    if (c) c->key = make_key(ck, format);
    if (!c || !c->key) {
        snprintf(warning, warning_size, "no quantized-weight cache: cannot read the checkpoint's file identities");
        quant_cache_close(c);
        return NULL;
    }
    snprintf(c->path, sizeof c->path, "%.*s/%016llx-%s.vkq", (int)(sizeof c->path - 40), base,
             (unsigned long long)fnv1a(c->key), format);
    vkvlm_error err = {0};
    if (access(c->path, F_OK) == 0) {
        if (vkvlm_file_map_open(&c->map, c->path, &err) == VKVLM_OK && parse(c)) return c;
        snprintf(warning, warning_size, "quantized-weight cache %s is unreadable or damaged; writing it again", c->path);
        free(c->entries);
        c->entries = NULL;
        c->n_entries = 0;
        vkvlm_file_map_close(&c->map);
    }
    if (!make_dirs(base)) {
        snprintf(warning, warning_size, "no quantized-weight cache: cannot create %s: %s", base, strerror(errno));
        quant_cache_close(c);
        return NULL;
    }
    snprintf(c->tmp_path, sizeof c->tmp_path, "%s.tmp.%ld", c->path, (long)getpid());
    c->out = fopen(c->tmp_path, "wb");
    if (!c->out) {
        snprintf(warning, warning_size, "no quantized-weight cache: cannot write %s: %s", c->tmp_path, strerror(errno));
        c->tmp_path[0] = '\0';
        quant_cache_close(c);
        return NULL;
    }
    /* the header's entry count is filled in by finish */
    uint32_t version = CACHE_VERSION, zero = 0;
    uint64_t key_len = strlen(c->key);
    c->failed = fwrite(MAGIC, 1, 8, c->out) != 8 || fwrite(&version, 4, 1, c->out) != 1 ||
                fwrite(&zero, 4, 1, c->out) != 1 || fwrite(&key_len, 8, 1, c->out) != 1 ||
                !write_padded(c->out, c->key, key_len);
    return c;
}

const void *quant_cache_find(quant_cache *c, const char *name, uint64_t bytes) {
    if (!c) return NULL;
    size_t len = strlen(name);
    for (uint32_t i = 0; i < c->n_entries; i++) {
        const cache_entry *e = &c->entries[i];
        if (e->name_len == len && memcmp(e->name, name, len) == 0 && e->bytes == bytes) {
            c->hits++;
            return e->data;
        }
    }
    return NULL;
}

void quant_cache_put(quant_cache *c, const char *name, const void *data, uint64_t bytes) {
    if (!c || !c->out || c->failed) return;
    uint32_t name_len = (uint32_t)strlen(name), zero = 0;
    c->failed = fwrite(&name_len, 4, 1, c->out) != 1 || fwrite(&zero, 4, 1, c->out) != 1 ||
                fwrite(&bytes, 8, 1, c->out) != 1 || !write_padded(c->out, name, name_len) ||
                !write_padded(c->out, data, bytes);
    if (!c->failed) c->written++;
}

bool quant_cache_finish(quant_cache *c, char *warning, size_t warning_size) {
    if (!c || !c->out) return true;
    bool ok = !c->failed && fseek(c->out, 12, SEEK_SET) == 0 && fwrite(&c->written, 4, 1, c->out) == 1;
    int saved = errno;
    ok = fclose(c->out) == 0 && ok;
    c->out = NULL;
    if (ok && c->written > 0) {
        ok = rename(c->tmp_path, c->path) == 0;
        saved = errno;
    } else if (ok) {
        remove(c->tmp_path); /* nothing was quantized: no file */
        c->tmp_path[0] = '\0';
        return true;
    }
    if (!ok) {
        snprintf(warning, warning_size, "quantized-weight cache %s not written: %s", c->path,
                 strerror(saved ? saved : errno));
        remove(c->tmp_path);
    }
    c->tmp_path[0] = '\0';
    return ok;
}

int quant_cache_hits(const quant_cache *c) { return c ? c->hits : 0; }
const char *quant_cache_path(const quant_cache *c) { return c ? c->path : ""; }

void quant_cache_close(quant_cache *c) {
    if (!c) return;
    if (c->out) fclose(c->out);
    if (c->tmp_path[0]) remove(c->tmp_path);
    vkvlm_file_map_close(&c->map);
    free(c->entries);
    free(c->key);
    free(c);
}
