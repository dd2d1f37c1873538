/* golden.h — reading the golden cases of ../shared/golden (raw little-endian arrays, see its README) and
 * comparing dumps against them. The directory comes from VKVLM_GOLDEN_DIR (set by CMake). */
#ifndef VKVLM_TEST_GOLDEN_H
#define VKVLM_TEST_GOLDEN_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "test.h"

static inline const char *golden_dir(void) { return getenv("VKVLM_GOLDEN_DIR"); }

/* Reads a whole file; *count = bytes / elem. NULL when missing. */
static inline void *golden_read(const char *path, size_t elem, size_t *count) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *data = n > 0 ? malloc((size_t)n) : NULL;
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *count = data ? (size_t)n / elem : 0;
    return data;
}

/* Max |a-b| over two float files of the same length; -1 when a file is missing or lengths differ. */
static inline double golden_max_abs_diff(const char *path_a, const char *path_b, size_t *count) {
    size_t na = 0, nb = 0;
    float *a = golden_read(path_a, 4, &na), *b = golden_read(path_b, 4, &nb);
    double max = -1;
    if (a && b && na == nb) {
        max = 0;
        for (size_t i = 0; i < na; i++) {
            double d = fabs((double)a[i] - b[i]);
            if (!(d <= max)) max = d; /* NaN propagates as a failure */
        }
    }
    if (count) *count = na;
    free(a);
    free(b);
    return max;
}

#endif
