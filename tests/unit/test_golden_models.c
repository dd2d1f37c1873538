/* test_golden_models.c — every model family end to end against transformers (../shared/golden): for
 * llava15_tiny_f32 (LLaVA-1.5, f32) and smolvlm_tiny_f16 (SmolVLM / Idefics3, f16 weights), on Vulkan
 * (lavapipe, validation on) and on the CPU backend:
 *   - the prompt's token ids and the pixel values exactly;
 *   - the vision tower output, the projector / connector output and the last-position logits within
 *     tolerance, and the 8 greedy tokens exactly;
 *   - FastV with the case's K and R: kept positions and greedy tokens exactly, scores and pruned logits
 *     within tolerance; then the same session without reduction again (no state leaks between prompts).
 * Tolerances: the golden README suggests 1e-3 on logits for f32 weights and 5e-2 for f16; vkvlm upcasts f16
 * weights to f32 exactly, as the reference did, so 1e-3 holds for both (measured ~3e-6). Vision tensors
 * 1e-4 and scores 1e-5: f32 accumulation over at most a few hundred terms. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <string.h>

#include "golden.h"
#include "test.h"
#include "vkvlm.h"

typedef struct golden_case {
    const char *name;
    const char *fastv;             /* the case's FastV setting */
    const char *vision_features;   /* expected/ file the vision output is compared with */
    const char *image_embeddings;  /* expected/ file of the projector / connector output */
} golden_case;

static const golden_case cases[] = {
    {"llava15_tiny_f32", "fastv:k=2,r=0.5", "vision_features", "projector_output"},
    {"smolvlm_tiny_f16", "fastv:k=2,r=0.75", "vision_last_hidden_state", "connector_output"},
};

static void run_case(const golden_case *c, const char *backend) {
    const char *gd = golden_dir();
    if (!gd) {
        TEST_SKIP("VKVLM_GOLDEN_DIR not set");
        return;
    }
    char model[1024], image[1024], expected[1024], path[1200], label[128];
    char dump[] = "/tmp/vkvlm-golden-XXXXXX", dump_fastv[] = "/tmp/vkvlm-fastv-XXXXXX";
    snprintf(model, sizeof model, "%s/%s/checkpoint", gd, c->name);
    snprintf(image, sizeof image, "%s/%s/image.png", gd, c->name);
    snprintf(expected, sizeof expected, "%s/%s/expected", gd, c->name);
    snprintf(label, sizeof label, "%s/%s", c->name, backend);
    TEST_CHECK(mkdtemp(dump) != NULL && mkdtemp(dump_fastv) != NULL);

    vkvlm_session_desc sd = {.model_dir = model, .backend = backend, .logger = {.fn = golden_log}};
    vkvlm_session *s = NULL;
    vkvlm_error err = {0};
    vkvlm_status st = vkvlm_session_create(&sd, &s, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st != VKVLM_OK) return;
    const char *images[] = {image}, *reduce[] = {c->fastv};
    vkvlm_generate_desc g = {.prompt = "What is shown in this image?", .images = images, .image_count = 1,
                             .max_new_tokens = 8, .ignore_eos = 1, .dump_dir = dump};

    /* the plain model */
    vkvlm_result r;
    st = vkvlm_session_generate(s, &g, &r, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st == VKVLM_OK) {
        snprintf(path, sizeof path, "%s/input_ids.bin", expected);
        golden_compare_file(path, r.prompt_tokens, r.prompt_count, 1, 0, "prompt tokens");
        snprintf(path, sizeof path, "%s/greedy_tokens.bin", expected);
        golden_compare_file(path, r.tokens, r.token_count, 1, 0, "greedy tokens");
        golden_compare_dump(dump, "pixel_values", expected, "pixel_values", 0.0, label);
        golden_compare_dump(dump, "vision_features", expected, c->vision_features, 1e-4, label);
        golden_compare_dump(dump, "image_embeddings", expected, c->image_embeddings, 1e-4, label);
        golden_compare_dump(dump, "logits_last", expected, "logits_last", 1e-3, label);
        vkvlm_result_free(&r);
    }

    /* FastV */
    g.reduce = reduce;
    g.reduce_count = 1;
    g.dump_dir = dump_fastv;
    st = vkvlm_session_generate(s, &g, &r, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st == VKVLM_OK) {
        snprintf(path, sizeof path, "%s/fastv_greedy_tokens.bin", expected);
        golden_compare_file(path, r.tokens, r.token_count, 1, 0, "fastv greedy tokens");
        TEST_CHECK_INT(r.reduction_count, 1);
        if (r.reduction_count == 1) {
            TEST_CHECK_STR(r.reductions[0].method, "fastv");
            TEST_CHECK_INT(r.reductions[0].layer, 2);
            snprintf(path, sizeof path, "%s/fastv_keep_positions.bin", expected);
            golden_compare_file(path, r.reductions[0].kept_positions, r.reductions[0].kept_count, 1, 0, "kept positions");
            snprintf(path, sizeof path, "%s/fastv_scores.bin", expected);
            golden_compare_file(path, r.reductions[0].scores, r.reductions[0].score_count, 0, 1e-5, "fastv scores");
        }
        TEST_CHECK(r.flops_llm_actual < r.flops_llm_baseline && r.flops_vision_actual == r.flops_vision_baseline);
        golden_compare_dump(dump_fastv, "logits_last", expected, "fastv_logits_last", 1e-3, label);
        vkvlm_result_free(&r);
    }

    /* plain again: the reduction's scratch must not leak into the next prompt */
    g.reduce_count = 0;
    g.dump_dir = NULL;
    st = vkvlm_session_generate(s, &g, &r, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st == VKVLM_OK) {
        snprintf(path, sizeof path, "%s/greedy_tokens.bin", expected);
        golden_compare_file(path, r.tokens, r.token_count, 1, 0, "greedy tokens after fastv");
        TEST_CHECK_INT(r.reduction_count, 0);
        vkvlm_result_free(&r);
    }
    vkvlm_session_destroy(s);
    snprintf(path, sizeof path, "rm -rf %s %s", dump, dump_fastv);
    TEST_CHECK(system(path) == 0);
}

static void test_llava_vulkan(void) { run_case(&cases[0], "vulkan"); }
static void test_llava_cpu(void) { run_case(&cases[0], "cpu"); }
static void test_smolvlm_vulkan(void) { run_case(&cases[1], "vulkan"); }
static void test_smolvlm_cpu(void) { run_case(&cases[1], "cpu"); }

int main(void) {
    TEST_RUN(test_llava_vulkan);
    TEST_RUN(test_llava_cpu);
    TEST_RUN(test_smolvlm_vulkan);
    TEST_RUN(test_smolvlm_cpu);
    return test_finish();
}
