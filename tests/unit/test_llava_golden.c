/* test_llava_golden.c — LLaVA-1.5 end to end against transformers (../shared/golden/llava15_tiny_f32):
 * the prompt's token ids and the preprocessed pixels exactly, the vision features, projector output and
 * last-position logits within tolerance, and the 8 greedy tokens exactly — on Vulkan (lavapipe, validation
 * on) and on the CPU backend; and FastV (k=2, r=0.5): kept positions and greedy tokens exactly, scores and
 * pruned logits within tolerance. Tolerances (golden README): logits 1e-3 for fp32 weights; the vision
 * tensors 1e-4 and FastV scores 1e-5 (f32 accumulation over at most a few hundred terms). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <string.h>

#include "golden.h"
#include "test.h"
#include "vkvlm.h"

static const int32_t want_tokens[8] = {174, 376, 85, 38, 121, 227, 179, 74};
static const int32_t want_fastv_tokens[8] = {174, 364, 284, 264, 88, 373, 154, 259};

static void log_warn(void *user, vkvlm_log_level level, const char *message) {
    (void)user;
    fprintf(stderr, "[%d] %s\n", (int)level, message);
}

/* Compares n values read from a golden file with got[] (ints exactly when tol < 0). */
static void compare_file(const char *path, const void *got, int n, int is_int, double tol, const char *what) {
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

static void run_fastv(const char *backend) {
    const char *gd = golden_dir();
    if (!gd) {
        TEST_SKIP("VKVLM_GOLDEN_DIR not set");
        return;
    }
    char model[1024], image[1024], path[1200], dump[] = "/tmp/vkvlm-fastv-XXXXXX";
    snprintf(model, sizeof model, "%s/llava15_tiny_f32/checkpoint", gd);
    snprintf(image, sizeof image, "%s/llava15_tiny_f32/image.png", gd);
    TEST_CHECK(mkdtemp(dump) != NULL);
    vkvlm_session_desc sd = {.model_dir = model, .backend = backend, .logger = {.fn = log_warn}};
    vkvlm_session *s = NULL;
    vkvlm_error err = {0};
    vkvlm_status st = vkvlm_session_create(&sd, &s, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st != VKVLM_OK) return;
    const char *images[] = {image}, *reduce[] = {"fastv:k=2,r=0.5"};
    vkvlm_generate_desc g = {.prompt = "What is shown in this image?", .images = images, .image_count = 1,
                             .max_new_tokens = 8, .ignore_eos = 1, .reduce = reduce, .reduce_count = 1, .dump_dir = dump};
    vkvlm_result r;
    st = vkvlm_session_generate(s, &g, &r, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st == VKVLM_OK) {
        TEST_CHECK_INT(r.reduction_count, 1);
        TEST_CHECK_INT(r.token_count, 8);
        for (int i = 0; i < r.token_count && i < 8; i++)
            TEST_CHECK_MSG(r.tokens[i] == want_fastv_tokens[i], "fastv token %d: %d, expected %d (%s)", i, r.tokens[i],
                           want_fastv_tokens[i], backend);
        if (r.reduction_count == 1) {
            TEST_CHECK_STR(r.reductions[0].method, "fastv");
            TEST_CHECK_INT(r.reductions[0].layer, 2);
            snprintf(path, sizeof path, "%s/llava15_tiny_f32/expected/fastv_keep_positions.bin", gd);
            compare_file(path, r.reductions[0].kept_positions, r.reductions[0].kept_count, 1, 0, "kept_positions");
            snprintf(path, sizeof path, "%s/llava15_tiny_f32/expected/fastv_scores.bin", gd);
            compare_file(path, r.reductions[0].scores, r.reductions[0].score_count, 0, 1e-5, "fastv scores");
        }
        TEST_CHECK(r.flops_llm_actual < r.flops_llm_baseline && r.flops_vision_actual == r.flops_vision_baseline);
        char got[1200];
        snprintf(got, sizeof got, "%s/logits_last.bin", dump);
        snprintf(path, sizeof path, "%s/llava15_tiny_f32/expected/fastv_logits_last.bin", gd);
        double diff = golden_max_abs_diff(got, path, NULL);
        TEST_CHECK_MSG(diff >= 0 && diff <= 1e-3, "fastv logits (%s): max |diff| %.3g", backend, diff);
        fprintf(stderr, "%s fastv logits_last max |diff| %.3g\n", backend, diff);
        vkvlm_result_free(&r);
    }
    /* the same session again without reduction: the scratch state must not leak into the next prompt */
    g.reduce_count = 0;
    g.dump_dir = NULL;
    st = vkvlm_session_generate(s, &g, &r, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st == VKVLM_OK) {
        for (int i = 0; i < r.token_count && i < 8; i++) TEST_CHECK_INT(r.tokens[i], want_tokens[i]);
        TEST_CHECK_INT(r.reduction_count, 0);
        vkvlm_result_free(&r);
    }
    vkvlm_session_destroy(s);
    snprintf(path, sizeof path, "rm -rf %s", dump);
    TEST_CHECK(system(path) == 0);
}

static void run_case(const char *backend) {
    const char *gd = golden_dir();
    if (!gd) {
        TEST_SKIP("VKVLM_GOLDEN_DIR not set");
        return;
    }
    char model[1024], image[1024], expected[1024], dump[] = "/tmp/vkvlm-golden-XXXXXX";
    snprintf(model, sizeof model, "%s/llava15_tiny_f32/checkpoint", gd);
    snprintf(image, sizeof image, "%s/llava15_tiny_f32/image.png", gd);
    snprintf(expected, sizeof expected, "%s/llava15_tiny_f32/expected", gd);
    TEST_CHECK(mkdtemp(dump) != NULL);

    vkvlm_session_desc sd = {.model_dir = model, .backend = backend, .logger = {.fn = log_warn}};
    vkvlm_session *s = NULL;
    vkvlm_error err = {0};
    vkvlm_status st = vkvlm_session_create(&sd, &s, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st != VKVLM_OK) return;
    const char *images[] = {image};
    vkvlm_generate_desc g = {.prompt = "What is shown in this image?", .images = images, .image_count = 1,
                             .max_new_tokens = 8, .ignore_eos = 1, .dump_dir = dump};
    vkvlm_result r;
    st = vkvlm_session_generate(s, &g, &r, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st == VKVLM_OK) {
        char path[1200], got[1200];
        size_t n = 0;
        snprintf(path, sizeof path, "%s/input_ids.bin", expected);
        int32_t *ids = golden_read(path, 4, &n);
        TEST_CHECK(ids != NULL);
        TEST_CHECK_INT(r.prompt_count, n);
        for (size_t i = 0; ids && i < n && (int)i < r.prompt_count; i++)
            if (r.prompt_tokens[i] != ids[i]) {
                TEST_CHECK_MSG(0, "prompt token %zu: %d, expected %d", i, r.prompt_tokens[i], ids[i]);
                break;
            }
        free(ids);
        TEST_CHECK_INT(r.token_count, 8);
        for (int i = 0; i < r.token_count && i < 8; i++)
            TEST_CHECK_MSG(r.tokens[i] == want_tokens[i], "greedy token %d: %d, expected %d (%s)", i, r.tokens[i],
                           want_tokens[i], backend);
        struct { const char *mine, *theirs; double tol; } cmp[] = {
            {"pixel_values", "pixel_values", 0.0},
            {"vision_features", "vision_features", 1e-4},
            {"image_embeddings", "projector_output", 1e-4},
            {"logits_last", "logits_last", 1e-3},
        };
        for (size_t i = 0; i < sizeof cmp / sizeof cmp[0]; i++) {
            snprintf(got, sizeof got, "%s/%s.bin", dump, cmp[i].mine);
            snprintf(path, sizeof path, "%s/%s.bin", expected, cmp[i].theirs);
            double diff = golden_max_abs_diff(got, path, &n);
            TEST_CHECK_MSG(diff >= 0 && diff <= cmp[i].tol, "%s (%s): max |diff| %.3g > %.3g", cmp[i].mine, backend,
                           diff, cmp[i].tol);
            fprintf(stderr, "%s %-17s max |diff| %.3g over %zu values\n", backend, cmp[i].mine, diff, n);
        }
        vkvlm_result_free(&r);
    }
    vkvlm_session_destroy(s);
    char rm[128];
    snprintf(rm, sizeof rm, "rm -rf %s", dump);
    TEST_CHECK(system(rm) == 0);
}

static void test_llava_golden_vulkan(void) { run_case("vulkan"); }
static void test_llava_golden_cpu(void) { run_case("cpu"); }
static void test_fastv_golden_vulkan(void) { run_fastv("vulkan"); }
static void test_fastv_golden_cpu(void) { run_fastv("cpu"); }

int main(void) {
    TEST_RUN(test_llava_golden_vulkan);
    TEST_RUN(test_llava_golden_cpu);
    TEST_RUN(test_fastv_golden_vulkan);
    TEST_RUN(test_fastv_golden_cpu);
    return test_finish();
}
