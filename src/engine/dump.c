/* dump.c — see dump.h. */
#define _POSIX_C_SOURCE 200809L
#include "engine/dump.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/status.h"

vkvlm_status dump_open(dump_writer *d, const char *dir, vkvlm_error *err) {
    memset(d, 0, sizeof *d);
    if (!dir) return VKVLM_OK;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return vkvlm_error_set(err, VKVLM_ERR_IO, "--dump %s: cannot create the directory: %s", dir, strerror(errno));
    snprintf(d->dir, sizeof d->dir, "%s", dir);
    d->index = cJSON_CreateObject();
    if (!d->index) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "--dump: out of memory");
    return VKVLM_OK;
}

vkvlm_status dump_host(dump_writer *d, const char *name, const float *data, const int64_t *shape, int ndim,
                       vkvlm_error *err) {
    if (!d->dir[0]) return VKVLM_OK;
    uint64_t count = 1;
    for (int i = 0; i < ndim; i++) count *= (uint64_t)shape[i];
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.bin", d->dir, name);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, sizeof(float), count, f) == count;
    if (f) ok = (fclose(f) == 0) && ok;
    if (!ok) return vkvlm_error_set(err, VKVLM_ERR_IO, "%s: cannot write the dump file", path);
    cJSON *entry = cJSON_CreateObject(), *dims = cJSON_CreateArray();
    char file[256];
    snprintf(file, sizeof file, "%s.bin", name);
    cJSON_AddStringToObject(entry, "file", file);
    cJSON_AddStringToObject(entry, "dtype", "f32");
    for (int i = 0; i < ndim; i++) cJSON_AddItemToArray(dims, cJSON_CreateNumber((double)shape[i]));
    cJSON_AddItemToObject(entry, "shape", dims);
    cJSON_AddItemToObject(d->index, name, entry);
    return VKVLM_OK;
}

vkvlm_status dump_device(dump_writer *d, const char *name, gpu_binding b, const int64_t *shape, int ndim,
                         vkvlm_error *err) {
    if (!d->dir[0]) return VKVLM_OK;
    if (b.size == 0) b.size = gpu_buffer_size(b.buffer) - b.offset; /* a whole-buffer binding */
    float *host = malloc(b.size ? b.size : 4);
    if (!host) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "--dump %s: out of memory", name);
    vkvlm_status st = gpu_buffer_read(b.buffer, b.offset, host, b.size, err);
    if (st == VKVLM_OK) st = dump_host(d, name, host, shape, ndim, err);
    free(host);
    return st;
}

vkvlm_status dump_close(dump_writer *d, vkvlm_error *err) {
    if (!d->dir[0]) return VKVLM_OK;
    char path[1200];
    snprintf(path, sizeof path, "%s/dump.json", d->dir);
    char *text = cJSON_Print(d->index);
    cJSON_Delete(d->index);
    d->index = NULL;
    d->dir[0] = '\0';
    FILE *f = fopen(path, "w");
    int ok = f && text && fputs(text, f) >= 0;
    if (f) ok = (fclose(f) == 0) && ok;
    free(text);
    return ok ? VKVLM_OK : vkvlm_error_set(err, VKVLM_ERR_IO, "%s: cannot write", path);
}
