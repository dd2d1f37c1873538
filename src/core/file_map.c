/* file_map.c — read-only mmap of a whole file (see file_map.h). POSIX open/fstat/mmap; no reading fallback. */
#define _POSIX_C_SOURCE 200809L

#include "core/file_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/status.h"

vkvlm_status vkvlm_file_map_open(vkvlm_file_map *map, const char *path, vkvlm_error *err) {
    if (!map || !path) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_file_map_open: map and path are required");
    memset(map, 0, sizeof *map);

    /* O_NONBLOCK: opening a FIFO must not hang waiting for a writer; it is rejected below as non-regular. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return vkvlm_error_set(err, VKVLM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));

    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return vkvlm_error_set(err, VKVLM_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return vkvlm_error_set(err, VKVLM_ERR_IO, "%s: is a directory, expected a file", path);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return vkvlm_error_set(err, VKVLM_ERR_IO, "%s: not a regular file (cannot be mapped)", path);
    }
    /* off_t is 64-bit on every target we build, size_t may be 32-bit (wasm32): refuse what cannot be mapped. */
    if (st.st_size < 0 || (uint64_t)st.st_size > (uint64_t)SIZE_MAX) {
        close(fd);
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "%s: file of %lld bytes does not fit the address space", path,
                               (long long)st.st_size);
    }
    size_t size = (size_t)st.st_size;
    if (size == 0) {
        /* mmap rejects length 0; an empty file is still a valid, empty map (the parser reports what is missing). */
        close(fd);
        return VKVLM_OK;
    }

    void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd); /* the mapping keeps its own reference to the file */
    if (p == MAP_FAILED)
        return vkvlm_error_set(err, VKVLM_ERR_IO, "%s: cannot map %zu bytes: %s", path, size, strerror(e));

    map->mapping = p;
    map->data = (const uint8_t *)p;
    map->size = size;
    return VKVLM_OK;
}

void vkvlm_file_map_close(vkvlm_file_map *map) {
    if (!map) return;
    if (map->mapping) munmap(map->mapping, map->size);
    memset(map, 0, sizeof *map);
}
