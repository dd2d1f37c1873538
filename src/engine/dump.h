/* dump.h — `--dump DIR`: intermediate tensors as raw little-endian float32 files plus DIR/dump.json with
 * each file's shape, so they can be compared with numpy or the golden cases. */
#ifndef VKVLM_ENGINE_DUMP_H
#define VKVLM_ENGINE_DUMP_H

#include <stdint.h>

#include "gpu/gpu.h"

typedef struct dump_writer {
    char dir[1024];   /* "" when dumping is off */
    void *index;      /* cJSON object: name -> {file, shape} */
} dump_writer;

vkvlm_status dump_open(dump_writer *d, const char *dir, vkvlm_error *err); /* dir NULL: off */
/* Writes name.bin from host floats with the given shape (outer to inner). */
vkvlm_status dump_host(dump_writer *d, const char *name, const float *data, const int64_t *shape, int ndim,
                       vkvlm_error *err);
/* Reads a device range of f32 and writes it like dump_host. */
vkvlm_status dump_device(dump_writer *d, const char *name, gpu_binding b, const int64_t *shape, int ndim,
                         vkvlm_error *err);
/* Writes dump.json and frees the index. */
vkvlm_status dump_close(dump_writer *d, vkvlm_error *err);

#endif
