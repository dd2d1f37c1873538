/* safetensors.h — read Hugging Face safetensors files and model directories (single file or sharded).
 *
 * Does:
 *   - vkvlm_safetensors: one file, memory-mapped (or a caller's buffer, for fuzzing and tests). The whole
 *     header is validated before anything is handed out: 8-byte LE length within the file and under
 *     VKVLM_SAFETENSORS_MAX_HEADER, JSON object (trailing space padding allowed), every entry with a known
 *     dtype, a shape of non-negative integers (product overflow-checked), data_offsets [begin, end] with
 *     end - begin == numel * element size, inside the data section, no two tensors overlapping, and an optional
 *     `__metadata__` string map. Tensors are non-owning views into the mapping.
 *   - vkvlm_checkpoint: a model directory with `model.safetensors`, or `model.safetensors.index.json` whose
 *     `weight_map` names the shards (each opened once); one lookup across shards that also accepts the
 *     module renames of transformers >= 4.52 (see "Name aliases" below).
 *   - Shape checks with messages like "…/model.safetensors: tensor 'x' has shape [64,32], expected [64,48]",
 *     and conversion of F32/F16/BF16 tensors to f32 in a caller buffer.
 * Does not: write safetensors, convert dtypes other than those three, upload to a device (the gpu layer copies
 * from the views), or know which tensors a model needs (that is models/).
 *
 * Alignment (a decision): the spec does not require the data section to start on an 8-byte boundary, and
 * Hugging Face's writer only pads the header to a multiple of 8 by convention. Files with an unaligned data
 * start are accepted and flagged in `data_start_aligned`; individual tensors may also start at any byte
 * offset. Tensor views therefore promise only byte alignment: read elements with memcpy (as the f32 reader
 * does) or copy the bytes, which the GPU upload does anyway.
 * Gaps between tensors and bytes after the last tensor are accepted (the reference reader rejects them);
 * nothing reads them, so they cannot cause harm, and rejecting them would refuse files other writers produce.
 * Byte order: the format is little-endian; the header length and the f32 reader decode bytes explicitly, so
 * big-endian hosts read the same values.
 *
 * Lifetimes: the creator owns the struct, calls open/parse, and calls close once. A failed open/parse has
 * already released everything and left the struct zeroed, so closing it again is harmless but not needed; close
 * accepts NULL and zeroed objects. Every pointer handed out lives until close.
 */
#ifndef VKVLM_IO_SAFETENSORS_H
#define VKVLM_IO_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "core/file_map.h"
#include "vkvlm.h"

#define VKVLM_SAFETENSORS_MAX_DIMS 8              /* more dims is VKVLM_ERR_UNSUPPORTED */
#define VKVLM_SAFETENSORS_MAX_HEADER (100u << 20) /* header bytes; a 7B checkpoint needs ~100 KiB */

/* Element types. The names are the header's dtype strings. 0 is "unset": a parsed file never holds it, since an
 * unknown dtype string is rejected. */
typedef enum vkvlm_safetensors_dtype {
    VKVLM_SAFETENSORS_UNKNOWN = 0,
    VKVLM_SAFETENSORS_F32,     /* "F32"  4 bytes */
    VKVLM_SAFETENSORS_F16,     /* "F16"  2 bytes, IEEE binary16 */
    VKVLM_SAFETENSORS_BF16,    /* "BF16" 2 bytes, upper half of an f32 */
    VKVLM_SAFETENSORS_F64,     /* "F64"  8 bytes */
    VKVLM_SAFETENSORS_F8_E4M3, /* "F8_E4M3" 1 byte */
    VKVLM_SAFETENSORS_F8_E5M2, /* "F8_E5M2" 1 byte */
    VKVLM_SAFETENSORS_I64,     /* "I64" */
    VKVLM_SAFETENSORS_I32,     /* "I32" */
    VKVLM_SAFETENSORS_I16,     /* "I16" */
    VKVLM_SAFETENSORS_I8,      /* "I8" */
    VKVLM_SAFETENSORS_U64,     /* "U64" */
    VKVLM_SAFETENSORS_U32,     /* "U32" */
    VKVLM_SAFETENSORS_U16,     /* "U16" */
    VKVLM_SAFETENSORS_U8,      /* "U8" */
    VKVLM_SAFETENSORS_BOOL,    /* "BOOL" 1 byte */
    /* Quantized block formats go here. They will need a block size beside the element size, so the nbytes
     * check in safetensors.c must become "blocks * block bytes" for them. */
    VKVLM_SAFETENSORS_DTYPE_COUNT
} vkvlm_safetensors_dtype;

/* Header dtype string of a dtype ("F16"); "unknown" for out-of-range values. Never NULL. */
const char *vkvlm_safetensors_dtype_name(vkvlm_safetensors_dtype dtype);
/* Bytes per element; 0 for VKVLM_SAFETENSORS_UNKNOWN and out-of-range values. */
size_t vkvlm_safetensors_dtype_size(vkvlm_safetensors_dtype dtype);

/* One tensor: a non-owning view into the file's bytes. */
typedef struct vkvlm_safetensors_tensor {
    const char *name;                          /* NUL-terminated header key, owned by the file object */
    const char *file;                          /* the file's path (or parse label), for messages; owned likewise */
    vkvlm_safetensors_dtype dtype;             /* never VKVLM_SAFETENSORS_UNKNOWN */
    int ndim;                                  /* 0 (scalar) .. VKVLM_SAFETENSORS_MAX_DIMS */
    int64_t shape[VKVLM_SAFETENSORS_MAX_DIMS]; /* elements per dim, outer to inner; entries >= ndim are 0 */
    uint64_t numel;                            /* product of shape[0..ndim) (1 for a scalar) */
    const uint8_t *data;                       /* [nbytes] non-owning, byte-aligned only (see top); NULL if nbytes 0 */
    size_t nbytes;                             /* numel * dtype size */
    uint64_t file_offset;                      /* byte offset of data from the start of the file */
} vkvlm_safetensors_tensor;

/* One `__metadata__` entry (Hugging Face writes {"format": "pt"}). */
typedef struct vkvlm_safetensors_meta {
    const char *key;   /* NUL-terminated, owned by the file object */
    const char *value; /* NUL-terminated, owned by the file object */
} vkvlm_safetensors_meta;

typedef struct vkvlm_safetensors {
    char *path;                        /* the path (or parse label) every message starts with; owned */
    vkvlm_file_map map;                /* the mapping when opened from a file; zero after parse-from-buffer */
    const uint8_t *bytes;              /* [size] the whole file: the mapping or the caller's buffer */
    size_t size;                       /* bytes */
    uint64_t header_len;               /* bytes of JSON header after the 8-byte length */
    uint64_t data_start;               /* 8 + header_len: file offset where data_offsets count from */
    int data_start_aligned;            /* 1 if data_start % 8 == 0 (HF's writer pads to 8); informational */
    vkvlm_safetensors_tensor *tensors; /* [n_tensors] sorted by name (strcmp), names unique; owned */
    size_t n_tensors;                  /* tensors in the header (`__metadata__` excluded) */
    vkvlm_safetensors_meta *metadata;  /* [n_metadata] in header order; NULL if no `__metadata__`; owned */
    size_t n_metadata;                 /* entries of `__metadata__` */
    char *strings;                     /* one block holding every name, key and value above; owned */
} vkvlm_safetensors;

/* Maps path and validates it. On failure *st is zeroed (nothing to close). Errors: VKVLM_ERR_IO (cannot open/map),
 * VKVLM_ERR_FORMAT (anything wrong in the layout or header), VKVLM_ERR_LIMIT (header over
 * VKVLM_SAFETENSORS_MAX_HEADER), VKVLM_ERR_UNSUPPORTED (more than VKVLM_SAFETENSORS_MAX_DIMS dims),
 * VKVLM_ERR_OUT_OF_MEMORY. Messages start with the path. */
vkvlm_status vkvlm_safetensors_open(vkvlm_safetensors *st, const char *path, vkvlm_error *err);

/* Same validation over a caller's buffer, which must outlive st (the views point into it). On failure *st is
 * zeroed. label stands in for the path in messages. This is the fuzzing entry point. */
vkvlm_status vkvlm_safetensors_parse(vkvlm_safetensors *st, const uint8_t *bytes, size_t size, const char *label,
                                     vkvlm_error *err);

/* Frees what open/parse built and unmaps; zeroes *st. Accepts NULL and zeroed objects. */
void vkvlm_safetensors_close(vkvlm_safetensors *st);

/* The tensor with exactly this name, or NULL. */
const vkvlm_safetensors_tensor *vkvlm_safetensors_find(const vkvlm_safetensors *st, const char *name);

/* Like find, but a missing tensor is VKVLM_ERR_FORMAT "<path>: no tensor named 'x'". */
vkvlm_status vkvlm_safetensors_get(const vkvlm_safetensors *st, const char *name, const vkvlm_safetensors_tensor **out,
                                   vkvlm_error *err);

/* Value of a `__metadata__` key, or NULL. */
const char *vkvlm_safetensors_metadata(const vkvlm_safetensors *st, const char *key);

/* Shape literal for the *_shape functions below: expands to the two arguments `ndim, dims`, e.g.
 * vkvlm_safetensors_expect_shape(t, VKVLM_SHAPE(384, 64), err). */
#define VKVLM_SHAPE(...)                                                                                               \
    (int)(sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), (const int64_t[]) { __VA_ARGS__ }

/* VKVLM_OK if t has exactly ndim dims equal to dims[0..ndim); else VKVLM_ERR_FORMAT
 * "<file>: tensor 'x' has shape [a,b], expected [c,d]". */
vkvlm_status vkvlm_safetensors_expect_shape(const vkvlm_safetensors_tensor *t, int ndim, const int64_t *dims,
                                            vkvlm_error *err);

/* Converts t (F32, F16 or BF16) to f32 into dst[count]; count must equal t->numel (VKVLM_ERR_USAGE otherwise).
 * Other dtypes are VKVLM_ERR_UNSUPPORTED naming the tensor and its dtype. F16 subnormals, infinities and NaNs
 * convert exactly. */
vkvlm_status vkvlm_safetensors_read_f32(const vkvlm_safetensors_tensor *t, float *dst, size_t count, vkvlm_error *err);

/* ---------------------------------------------------------------- checkpoints (model directories)
 *
 * Name aliases. transformers >= 4.52 renamed VLM modules and re-saved checkpoints carry the new names. Callers
 * ask with one name in either spelling; after an exact miss, the lookup rewrites a leading prefix of one
 * column into the other and tries again:
 *     legacy (llava-hf, transformers < 4.52)   new (>= 4.52)
 *     language_model.model.                    model.language_model.
 *     language_model.lm_head.                  lm_head.
 *     vision_tower.                            model.vision_tower.
 *     multi_modal_projector.                   model.multi_modal_projector.
 * The exact name always wins, so a checkpoint that holds both spellings is read as written. Idefics3/SmolVLM
 * names did not change. Qwen2-VL's renames (visual. <-> model.visual., model. <-> model.language_model.) join
 * the table in safetensors.c when that family lands; the bare `model.` rule would otherwise also fire for
 * every SmolVLM and ProxyV name.
 */
typedef struct vkvlm_checkpoint {
    char *dir;                 /* the model directory as given; owned */
    char *source;              /* ".../model.safetensors" or ".../model.safetensors.index.json"; owned */
    int sharded;               /* 1 when read through model.safetensors.index.json */
    vkvlm_safetensors *shards; /* [n_shards]: the single file, or each distinct weight_map file once; owned */
    size_t n_shards;           /* 1 for a single file */
} vkvlm_checkpoint;

/* Opens dir/model.safetensors if present (as transformers does, it wins over an index), else
 * dir/model.safetensors.index.json and every shard it names. The index must have a non-empty `weight_map` of
 * name -> file name in dir (no path separators); every listed tensor must be in its shard, and no tensor may
 * be in two shards. Neither file present is VKVLM_ERR_IO naming dir and both names. On failure *ck is zeroed. */
vkvlm_status vkvlm_checkpoint_open(vkvlm_checkpoint *ck, const char *dir, vkvlm_error *err);

/* Closes every shard and frees; zeroes *ck. Accepts NULL and zeroed objects. */
void vkvlm_checkpoint_close(vkvlm_checkpoint *ck);

/* The tensor named name (exact first, then the aliases above) in any shard, or NULL. */
const vkvlm_safetensors_tensor *vkvlm_checkpoint_find(const vkvlm_checkpoint *ck, const char *name);

/* Like find; a miss is VKVLM_ERR_FORMAT naming the tensor, the aliases tried and the file(s) searched. */
vkvlm_status vkvlm_checkpoint_get(const vkvlm_checkpoint *ck, const char *name, const vkvlm_safetensors_tensor **out,
                                  vkvlm_error *err);

/* get + expect_shape in one call: vkvlm_checkpoint_get_shaped(ck, name, VKVLM_SHAPE(d, d_v), &t, err). */
vkvlm_status vkvlm_checkpoint_get_shaped(const vkvlm_checkpoint *ck, const char *name, int ndim, const int64_t *dims,
                                         const vkvlm_safetensors_tensor **out, vkvlm_error *err);

#endif
