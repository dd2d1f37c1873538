/* test_proxyv_golden.c — the original-LLaVA-layout checkpoint of ../shared/golden/proxyv_tiny_f32 (model_type
 * llava_llama, ProxyV from layer 2, factor 4) end to end, on Vulkan (lavapipe, validation on) and on the CPU
 * backend:
 *   - as a plain model (--reduce none): the prompt ids (one -200 placeholder), the pixel values exactly ("pad"),
 *     the CLIP features and projector output within 1e-4, the last logits within 1e-3 of baseline_logits_last
 *     and the 8 greedy tokens exactly (baseline_greedy_tokens);
 *   - with ProxyV, the checkpoint's default (no --reduce given) and explicitly (--reduce proxyv): the last
 *     logits within 1e-3 of logits_last, the greedy tokens exactly, the report (start layer, proxies);
 *   - plain again in the same session (no state leaks between prompts).
 * Tolerances: golden/README.md (f32 weights: logits 1e-3; tokens exact; vision tensors 1e-4). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "golden.h"
#include "test.h"
#include "vkvlm.h"

static const char case_name[] = "proxyv_tiny_f32";

/* One ProxyV run: logits, tokens and the report. */
static void check_proxyv(vkvlm_session *s, vkvlm_generate_desc *g, const char *dump, const char *expected,
                         const char *label) {
    vkvlm_result r;
    vkvlm_error err = {0};
    char path[1200];
    vkvlm_status st = vkvlm_session_generate(s, g, &r, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st != VKVLM_OK) return;
    snprintf(path, sizeof path, "%s/greedy_tokens.bin", expected);
    golden_compare_file(path, r.tokens, r.token_count, 1, 0, "proxyv greedy tokens");
    golden_compare_dump(dump, "logits_last", expected, "logits_last", 1e-3, label);
    TEST_CHECK_INT(r.reduction_count, 1);
    if (r.reduction_count == 1) {
        TEST_CHECK_STR(r.reductions[0].method, "proxyv");
        TEST_CHECK_INT(r.reductions[0].layer, 2);
        TEST_CHECK_INT(r.reductions[0].kept_count, 4); /* the proxies */
    }
    TEST_CHECK(r.flops_llm_actual < r.flops_llm_baseline && r.flops_vision_actual == r.flops_vision_baseline);
    vkvlm_result_free(&r);
}

static void run_case(const char *backend) {
    const char *gd = golden_dir();
    if (!gd) {
        TEST_SKIP("VKVLM_GOLDEN_DIR not set");
        return;
    }
    char model[1024], image[1024], expected[1024], path[1200], label[128];
    char dump[] = "/tmp/vkvlm-proxyv-base-XXXXXX", dump_pv[] = "/tmp/vkvlm-proxyv-XXXXXX";
    snprintf(model, sizeof model, "%s/%s/checkpoint", gd, case_name);
    snprintf(image, sizeof image, "%s/%s/image.png", gd, case_name);
    snprintf(expected, sizeof expected, "%s/%s/expected", gd, case_name);
    snprintf(label, sizeof label, "%s/%s", case_name, backend);
    TEST_CHECK(mkdtemp(dump) != NULL && mkdtemp(dump_pv) != NULL);

    vkvlm_session_desc sd = {.model_dir = model, .backend = backend, .logger = {.fn = golden_log}};
    vkvlm_session *s = NULL;
    vkvlm_error err = {0};
    vkvlm_status st = vkvlm_session_create(&sd, &s, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st != VKVLM_OK) return;
    const char *images[] = {image}, *none[] = {"none"}, *proxyv[] = {"proxyv"};
    vkvlm_generate_desc g = {.prompt = "What is shown in this image?", .images = images, .image_count = 1,
                             .max_new_tokens = 8, .ignore_eos = 1, .dump_dir = dump, .reduce = none,
                             .reduce_count = 1};

    /* the plain model */
    vkvlm_result r;
    st = vkvlm_session_generate(s, &g, &r, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st == VKVLM_OK) {
        snprintf(path, sizeof path, "%s/input_ids.bin", expected);
        golden_compare_file(path, r.prompt_tokens, r.prompt_count, 1, 0, "prompt tokens");
        snprintf(path, sizeof path, "%s/baseline_greedy_tokens.bin", expected);
        golden_compare_file(path, r.tokens, r.token_count, 1, 0, "baseline greedy tokens");
        TEST_CHECK_INT(r.reduction_count, 0);
        golden_compare_dump(dump, "pixel_values", expected, "pixel_values", 0.0, label);
        golden_compare_dump(dump, "vision_features", expected, "vision_features", 1e-4, label);
        golden_compare_dump(dump, "image_embeddings", expected, "projector_output", 1e-4, label);
        golden_compare_dump(dump, "logits_last", expected, "baseline_logits_last", 1e-3, label);
        vkvlm_result_free(&r);
    }

    /* ProxyV: the checkpoint's default, then asked for by name */
    g.reduce = NULL;
    g.reduce_count = 0;
    g.dump_dir = dump_pv;
    check_proxyv(s, &g, dump_pv, expected, label);
    g.reduce = proxyv;
    g.reduce_count = 1;
    check_proxyv(s, &g, dump_pv, expected, label);

    /* plain again */
    g.reduce = none;
    g.reduce_count = 1;
    g.dump_dir = NULL;
    st = vkvlm_session_generate(s, &g, &r, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st == VKVLM_OK) {
        snprintf(path, sizeof path, "%s/baseline_greedy_tokens.bin", expected);
        golden_compare_file(path, r.tokens, r.token_count, 1, 0, "baseline greedy tokens after proxyv");
        vkvlm_result_free(&r);
    }
    vkvlm_session_destroy(s);
    snprintf(path, sizeof path, "rm -rf %s %s", dump, dump_pv);
    TEST_CHECK(system(path) == 0);
}

static void test_proxyv_vulkan(void) { run_case("vulkan"); }
static void test_proxyv_cpu(void) { run_case("cpu"); }

int main(void) {
    TEST_RUN(test_proxyv_vulkan);
    TEST_RUN(test_proxyv_cpu);
    return test_finish();
}
