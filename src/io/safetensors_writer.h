/* safetensors_writer.h — writes a safetensors file the way Hugging Face's save_pretrained does: 8-byte
 * little-endian header length, a compact JSON header with __metadata__ first and tensors sorted by name,
 * padded with spaces to a multiple of 8, then the raw little-endian data in header order.
 *
 * Used by the tiny-model maker and by tests that need real checkpoints. Not a streaming writer: the caller
 * holds every tensor's bytes. */
#ifndef VKVLM_IO_SAFETENSORS_WRITER_H
#define VKVLM_IO_SAFETENSORS_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "vkvlm.h"

typedef struct vkvlm_st_entry {
    const char *name;    /* tensor name, e.g. "language_model.model.norm.weight" */
    const char *dtype;   /* "F32", "F16", "BF16", "I32", ... as safetensors spells it */
    int ndim;            /* 0..8 */
    int64_t shape[8];    /* outer to inner */
    const void *data;    /* little-endian bytes, not owned */
    size_t nbytes;       /* must equal prod(shape) * dtype size (the reader checks; the writer trusts) */
} vkvlm_st_entry;

/* Writes entries (any order; sorted by name in the file) to path. The file is written to path.tmp and
 * renamed, so a failed write never leaves a truncated checkpoint behind. */
vkvlm_status vkvlm_safetensors_write(const char *path, const vkvlm_st_entry *entries, int count, vkvlm_error *err);

#endif
