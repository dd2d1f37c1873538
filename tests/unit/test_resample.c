/* test_resample.c — Pillow-exact resizing (src/io/resample.c).
 *
 * The main check replays tests/data/pillow_refs.txt: 195 Pillow 9.4 resizes (every filter, L and RGB, up and
 * down, odd and 1-pixel sizes, noise / hard edges / gradients) must hash to exactly Pillow's output bytes.
 * During development the same code matched Pillow on several thousand random cases (gcc and clang, -O0 and
 * -O2, and with FMA contraction forced on); the file keeps a sample that runs in milliseconds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "io/resample.h"
#include "pillow_refs.h"
#include "test.h"

static void test_pillow_references(void) {
    int count = 0;
    char *lines = test_refs_lines("resample", &count);
    if (!lines) {
        TEST_SKIP("tests/data/pillow_refs.txt not found (VKVLM_SOURCE_DIR unset?)");
        return;
    }
    TEST_CHECK(count >= 150);
    const char *line = lines;
    int checked = 0;
    for (int i = 0; i < count; i++, line += strlen(line) + 1) {
        int w, h, c, dw, dh, f, pat;
        unsigned long long want;
        if (sscanf(line, "resample %d %d %d %d %d %d %d %llx", &w, &h, &c, &dw, &dh, &f, &pat, &want) != 8) {
            TEST_CHECK_MSG(0, "bad line: %s", line);
            continue;
        }
        uint8_t *src = test_pattern(w, h, c, pat);
        uint8_t *dst = malloc((size_t)dw * (size_t)dh * (size_t)c);
        vkvlm_error err = {0};
        vkvlm_status st = vkvlm_resample_u8(src, w, h, c, dst, dw, dh, (vkvlm_resample_filter)f, &err);
        TEST_CHECK_MSG(st == VKVLM_OK, "%s: %s", line, err.message);
        if (st == VKVLM_OK) {
            uint64_t got = test_fnv1a64(dst, (size_t)dw * (size_t)dh * (size_t)c);
            TEST_CHECK_MSG(got == want, "%dx%dx%d -> %dx%d %s (pattern %d): hash %016llx, Pillow %016llx", w, h, c, dw,
                           dh, vkvlm_resample_filter_name((vkvlm_resample_filter)f), pat, (unsigned long long)got, want);
            checked++;
        }
        free(src);
        free(dst);
    }
    TEST_CHECK_INT(checked, count);
    free(lines);
}

/* Weights are normalised per output pixel, so a flat image stays flat under every filter and size. */
static void test_flat_stays_flat(void) {
    static const int sizes[][4] = {{7, 5, 3, 2}, {3, 2, 17, 11}, {40, 1, 9, 4}, {1, 1, 6, 6}, {64, 64, 63, 65}};
    for (int f = 0; f < VKVLM_RESAMPLE_FILTER_COUNT; f++) {
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            int w = sizes[s][0], h = sizes[s][1], dw = sizes[s][2], dh = sizes[s][3];
            uint8_t *src = malloc((size_t)w * h * 3), *dst = malloc((size_t)dw * dh * 3);
            memset(src, 77, (size_t)w * h * 3);
            vkvlm_error err = {0};
            TEST_CHECK_INT(vkvlm_resample_u8(src, w, h, 3, dst, dw, dh, (vkvlm_resample_filter)f, &err), VKVLM_OK);
            int flat = 1;
            for (size_t i = 0; i < (size_t)dw * dh * 3; i++) flat &= dst[i] == 77;
            TEST_CHECK_MSG(flat, "%s %dx%d -> %dx%d is not flat", vkvlm_resample_filter_name((vkvlm_resample_filter)f), w,
                           h, dw, dh);
            free(src);
            free(dst);
        }
    }
}

static void test_same_size_is_a_copy(void) {
    uint8_t *src = test_pattern(9, 4, 3, 0);
    uint8_t dst[9 * 4 * 3];
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_resample_u8(src, 9, 4, 3, dst, 9, 4, VKVLM_RESAMPLE_LANCZOS, &err), VKVLM_OK);
    TEST_CHECK(memcmp(src, dst, sizeof dst) == 0);
    free(src);
}

static void test_bad_arguments(void) {
    uint8_t px[12] = {0};
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_resample_u8(px, 0, 1, 3, px, 1, 1, VKVLM_RESAMPLE_BOX, &err), VKVLM_ERR_USAGE);
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_resample_u8(px, 1, 1, 5, px, 1, 1, VKVLM_RESAMPLE_BOX, &err), VKVLM_ERR_USAGE);
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_resample_u8(px, 2, 2, 3, px, 1, 1, (vkvlm_resample_filter)6, &err), VKVLM_ERR_USAGE);
    TEST_CHECK(strstr(err.message, "unknown filter 6") != NULL);
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_resample_u8(NULL, 2, 2, 3, px, 1, 1, VKVLM_RESAMPLE_BOX, &err), VKVLM_ERR_USAGE);
    TEST_CHECK_STR(vkvlm_resample_filter_name(VKVLM_RESAMPLE_BICUBIC), "bicubic");
    TEST_CHECK_STR(vkvlm_resample_filter_name(VKVLM_RESAMPLE_LANCZOS), "lanczos");
    TEST_CHECK_STR(vkvlm_resample_filter_name((vkvlm_resample_filter)-1), "unknown");
}

int main(void) {
    TEST_RUN(test_pillow_references);
    TEST_RUN(test_flat_stays_flat);
    TEST_RUN(test_same_size_is_a_copy);
    TEST_RUN(test_bad_arguments);
    return test_finish();
}
