/* test.h — the small harness every ctest unit uses.
 *
 * A test file defines test functions and calls them through TEST_RUN from main(); checks record failures and
 * keep going so one run shows every broken case. test_finish() prints the closing line
 * "N passed, N failed" and returns the exit code (0 only when nothing failed and something was checked).
 * Checks print the file, line and the values involved, so a failure can be read without a debugger.
 */
#ifndef VKVLM_TEST_H
#define VKVLM_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct test_state {
    int checks_failed;   /* checks failed in the current test */
    int tests_passed;    /* tests with no failed check */
    int tests_failed;    /* tests with at least one failed check */
    int tests_skipped;   /* tests that said why they could not run */
    int skip_current;    /* the current test called TEST_SKIP */
} test_state;

static test_state test_g; /* tests only: one process per test file */

#define TEST_CHECK(cond)                                                          \
    do {                                                                          \
        if (!(cond)) {                                                            \
            test_g.checks_failed++;                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                         \
    } while (0)

#define TEST_CHECK_MSG(cond, ...)                                                 \
    do {                                                                          \
        if (!(cond)) {                                                            \
            test_g.checks_failed++;                                               \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                         \
            fputc('\n', stderr);                                                  \
        }                                                                         \
    } while (0)

#define TEST_CHECK_INT(a, b)                                                      \
    do {                                                                          \
        long long test_a_ = (long long)(a), test_b_ = (long long)(b);             \
        if (test_a_ != test_b_) {                                                 \
            test_g.checks_failed++;                                               \
            fprintf(stderr, "%s:%d: check failed: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, #b, \
                    test_a_, test_b_);                                            \
        }                                                                         \
    } while (0)

#define TEST_CHECK_STR(a, b)                                                      \
    do {                                                                          \
        const char *test_a_ = (a), *test_b_ = (b);                                \
        if (!test_a_ || !test_b_ || strcmp(test_a_, test_b_) != 0) {              \
            test_g.checks_failed++;                                               \
            fprintf(stderr, "%s:%d: check failed: %s == %s (\"%s\" vs \"%s\")\n", __FILE__, __LINE__, #a, #b, \
                    test_a_ ? test_a_ : "(null)", test_b_ ? test_b_ : "(null)"); \
        }                                                                         \
    } while (0)

/* Marks the running test skipped, with a reason; the caller returns afterwards. */
#define TEST_SKIP(...)                                                            \
    do {                                                                          \
        test_g.skip_current = 1;                                                  \
        fprintf(stderr, "SKIP: ");                                                \
        fprintf(stderr, __VA_ARGS__);                                             \
        fputc('\n', stderr);                                                      \
    } while (0)

#define TEST_RUN(fn)                                                              \
    do {                                                                          \
        test_g.checks_failed = 0;                                                 \
        test_g.skip_current = 0;                                                  \
        fn();                                                                     \
        if (test_g.checks_failed) {                                               \
            test_g.tests_failed++;                                                \
            fprintf(stderr, "FAIL %s\n", #fn);                                    \
        } else if (test_g.skip_current) {                                         \
            test_g.tests_skipped++;                                               \
            fprintf(stderr, "skip %s\n", #fn);                                    \
        } else {                                                                  \
            test_g.tests_passed++;                                                \
            fprintf(stderr, "ok   %s\n", #fn);                                    \
        }                                                                         \
    } while (0)

static inline int test_finish(void) {
    printf("%d passed, %d failed, %d skipped\n", test_g.tests_passed, test_g.tests_failed, test_g.tests_skipped);
    return test_g.tests_failed ? 1 : 0;
}

#endif
