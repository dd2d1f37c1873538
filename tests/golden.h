/* golden.h — reading the golden cases of ../shared/golden (raw little-endian arrays, see its README) and
 * comparing dumps against them. The directory comes from VKVLM_GOLDEN_DIR (set by CMake). */
#ifndef VKVLM_TEST_GOLDEN_H
#define VKVLM_TEST_GOLDEN_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <stdint.h>

#include "test.h"
#include "vkvlm.h"

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

/* The library's log messages, shown in the test output. */
static inline void golden_log(void *user, vkvlm_log_level level, const char *message) {
    (void)user;
    fprintf(stderr, "[%d] %s\n", (int)level, message);
}

/* Compares n 4-byte values (ints exactly when is_int, else floats within tol) with a golden file; reports the
 * first mismatch as a failed check named `what`. */
static inline void golden_compare_file(const char *path, const void *got, int n, int is_int, double tol,
                                       const char *what) {
    size_t count = 0;
    void *want = golden_read(path, 4, &count);
    TEST_CHECK_MSG(want != NULL, "%s: cannot read", path);
    TEST_CHECK_MSG((int)count == n, "%s: %d values, golden has %zu", what, n, count);
    for (int i = 0; want && i < n && i < (int)count; i++) {
        double a = is_int ? ((const int32_t *)got)[i] : ((const float *)got)[i];
        double b = is_int ? ((const int32_t *)want)[i] : ((const float *)want)[i];
        if (fabs(a - b) > tol) {
            TEST_CHECK_MSG(0, "%s[%d]: %g, golden %g", what, i, a, b);
            break;
        }
    }
    free(want);
}

/* Compares a --dump file (dump/mine.bin) with a golden tensor (expected/theirs.bin) within tol, and prints
 * the max difference so the margin is visible in every run. */
static inline void golden_compare_dump(const char *dump, const char *mine, const char *expected, const char *theirs,
                                       double tol, const char *label) {
    char got[1200], path[1200];
    size_t n = 0;
    snprintf(got, sizeof got, "%s/%s.bin", dump, mine);
    snprintf(path, sizeof path, "%s/%s.bin", expected, theirs);
    double diff = golden_max_abs_diff(got, path, &n);
    TEST_CHECK_MSG(diff >= 0 && diff <= tol, "%s %s vs %s: max |diff| %.3g > %.3g", label, mine, theirs, diff, tol);
    fprintf(stderr, "%s %-17s vs %-26s max |diff| %.3g over %zu values\n", label, mine, theirs, diff, n);
}

#endif
