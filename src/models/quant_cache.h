/* quant_cache.h — quantized weights kept on disk, so the second load of a model with --quant skips the
 * quantizing (seconds for a 7B decoder) and reads the blocks straight from a mapped file.
 *
 * One file per (checkpoint, format): <dir>/<hash>-<format>.vkq, dir $XDG_CACHE_HOME/vkvlm/quant, else
 * $HOME/.cache/vkvlm/quant. The hash covers a key text naming the format, the block-layout version and every
 * shard's real path, size and modification time, so a changed or moved checkpoint gets a new file; the key
 * text is also stored in the file and compared, so a hash collision reads as a miss.
 *
 * File: "VKVLMQC1", u32 layout version, u32 entries, u64 key length, the key (padded to 16), then per entry
 * u32 name length, u32 0, u64 data bytes, the name (padded to 16), the data (padded to 16). It is written
 * to <file>.tmp.<pid> and renamed into place when complete, so a crash or a full disk never leaves a
 * truncated cache; a file that does not parse (or lies about sizes) is ignored and rewritten.
 *
 * The cache is an optimization: nothing here fails a load. Problems (no cache directory, unwritable,
 * truncated file) come back as a warning text for the caller's logger. */
#ifndef VKVLM_MODELS_QUANT_CACHE_H
#define VKVLM_MODELS_QUANT_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "io/safetensors.h"

typedef struct quant_cache quant_cache;

/* Opens the cache of checkpoint ck in `format` ("q8_0"); dir NULL: the default location above. A valid file
 * is mapped for reading; otherwise the cache records what the load quantizes. NULL when there is no usable
 * location or no memory (then *warning says why; the load goes on without a cache). */
quant_cache *quant_cache_open(const vkvlm_checkpoint *ck, const char *format, const char *dir, char *warning,
                              size_t warning_size);

/* The cached bytes of tensor `name`, if the file has exactly `bytes` of them; else NULL. */
const void *quant_cache_find(quant_cache *c, const char *name, uint64_t bytes);

/* Records a tensor's quantized bytes for the file being written (nothing when the cache was read). */
void quant_cache_put(quant_cache *c, const char *name, const void *data, uint64_t bytes);

/* Puts the written file in place (when anything was recorded and nothing failed). Returns false with
 * *warning set when writing failed; the partial file is removed. */
bool quant_cache_finish(quant_cache *c, char *warning, size_t warning_size);

/* Tensors found in the file so far, the file's path. */
int quant_cache_hits(const quant_cache *c);
const char *quant_cache_path(const quant_cache *c);

/* Unmaps, removes an unfinished temporary file, frees. Accepts NULL. */
void quant_cache_close(quant_cache *c);

#endif
