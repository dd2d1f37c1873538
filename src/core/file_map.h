/* file_map.h — a whole file mapped read-only into memory (mmap), for safetensors weights and JSON files.
 *
 * Does: open + fstat + mmap(PROT_READ, MAP_PRIVATE) of a regular file, and the matching unmap. A zero-length
 * file "maps" fine: size 0, data NULL (mmap refuses length 0, so nothing is mapped). Errors name the path and
 * the OS reason ("weights/model.safetensors: cannot open: No such file or directory").
 * Does not: write, grow, remap, map part of a file, or read pipes and other non-regular files (they have no
 * fixed size to map). POSIX only for now; a Windows build would add a CreateFileMapping branch here.
 *
 * Usage: vkvlm_file_map map = {0}; if (vkvlm_file_map_open(&map, path, err) != VKVLM_OK) ...; use map.data,
 * map.size; vkvlm_file_map_close(&map). The mapping stays valid until close even if the file is unlinked; a
 * file truncated by someone else while mapped raises SIGBUS on access, which no reader can guard against.
 */
#ifndef VKVLM_CORE_FILE_MAP_H
#define VKVLM_CORE_FILE_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "vkvlm.h"

typedef struct vkvlm_file_map {
    const uint8_t *data; /* [size] bytes of the file, read-only; NULL when size is 0 or nothing is open */
    size_t size;         /* file size in bytes at open time */
    void *mapping;       /* what mmap returned (== data), NULL when nothing is mapped; for munmap only */
} vkvlm_file_map;

/* Maps the file at path. On failure *map is left zeroed (close is still safe) and err names path + reason:
 * VKVLM_ERR_IO for missing/unreadable files, directories and non-regular files; VKVLM_ERR_LIMIT for a file
 * larger than the address space (32-bit/wasm builds). */
vkvlm_status vkvlm_file_map_open(vkvlm_file_map *map, const char *path, vkvlm_error *err);

/* Unmaps and zeroes *map. Accepts NULL, a zeroed map and an already-closed map. */
void vkvlm_file_map_close(vkvlm_file_map *map);

#endif
