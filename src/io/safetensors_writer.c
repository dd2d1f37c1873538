/* safetensors_writer.c — see safetensors_writer.h. */
#define _POSIX_C_SOURCE 200809L
#include "io/safetensors_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"

static int compare_entries(const void *a, const void *b) {
    const vkvlm_st_entry *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* Appends to a growing string; false when out of memory. */
static int append(char **buf, size_t *len, size_t *cap, const char *text) {
    size_t n = strlen(text);
    if (*len + n + 1 > *cap) {
        size_t grown = (*cap ? *cap * 2 : 4096) + n;
        char *p = realloc(*buf, grown);
        if (!p) return 0;
        *buf = p;
        *cap = grown;
    }
    memcpy(*buf + *len, text, n + 1);
    *len += n;
    return 1;
}

vkvlm_status vkvlm_safetensors_write(const char *path, const vkvlm_st_entry *entries, int count, vkvlm_error *err) {
    const vkvlm_st_entry **sorted = malloc((size_t)(count ? count : 1) * sizeof *sorted);
    if (!sorted) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
    for (int i = 0; i < count; i++) sorted[i] = &entries[i];
    qsort(sorted, (size_t)count, sizeof *sorted, compare_entries);

    char *header = NULL;
    size_t len = 0, cap = 0, offset = 0;
    int ok = append(&header, &len, &cap, "{\"__metadata__\":{\"format\":\"pt\"}");
    for (int i = 0; i < count && ok; i++) {
        const vkvlm_st_entry *e = sorted[i];
        char item[1024];
        int n = snprintf(item, sizeof item, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[", e->name, e->dtype);
        for (int d = 0; d < e->ndim; d++) n += snprintf(item + n, sizeof item - (size_t)n, "%s%lld", d ? "," : "", (long long)e->shape[d]);
        snprintf(item + n, sizeof item - (size_t)n, "],\"data_offsets\":[%zu,%zu]}", offset, offset + e->nbytes);
        offset += e->nbytes;
        ok = append(&header, &len, &cap, item);
    }
    ok = ok && append(&header, &len, &cap, "}");
    while (ok && len % 8) ok = append(&header, &len, &cap, " ");
    if (!ok) {
        free(header);
        free(sorted);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
    }

    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    vkvlm_status st = VKVLM_OK;
    if (!f) {
        st = vkvlm_error_set(err, VKVLM_ERR_IO, "%s: cannot create file", tmp);
    } else {
        uint8_t len_le[8];
        for (int b = 0; b < 8; b++) len_le[b] = (uint8_t)((uint64_t)len >> (8 * b));
        int wrote = fwrite(len_le, 1, 8, f) == 8 && fwrite(header, 1, len, f) == len;
        for (int i = 0; i < count && wrote; i++)
            wrote = sorted[i]->nbytes == 0 || fwrite(sorted[i]->data, 1, sorted[i]->nbytes, f) == sorted[i]->nbytes;
        wrote = (fclose(f) == 0) && wrote;
        if (!wrote || rename(tmp, path) != 0) {
            remove(tmp);
            st = vkvlm_error_set(err, VKVLM_ERR_IO, "%s: write failed (disk full?)", path);
        }
    }
    free(header);
    free(sorted);
    return st;
}
