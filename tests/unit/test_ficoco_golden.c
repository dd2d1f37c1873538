/* test_ficoco_golden.c — FiCoCo-V and FiCoCo-L end to end against the golden cases (../shared/golden,
 * llava15_ficoco_v_f32 with ficoco-v:start=1,remove=8 and llava15_ficoco_l_f32 with ficoco-l:start=2,remove=6),
 * on Vulkan (lavapipe) and on the CPU backend:
 *   - the expanded prompt (V: 40 image tokens) and the greedy tokens exactly;
 *   - per merge layer: discarded tokens, targets and survivors exactly, α within 1e-5 and each α row summing
 *     to 1, survivors ascending, CLS never among V's indices (they are patch indices >= 0);
 *   - the reduced vision features / projector output (V) within 1e-4 and the last logits within 1e-3;
 *   - the same session without reduction afterwards matches the plain golden tokens (no state leaks).
 * Tolerances: golden/README.md "Tolerances for the reduction cases" (f32: selections exact, logits 1e-3). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "golden.h"
#include "test.h"
#include "vkvlm.h"

typedef struct ficoco_case {
    const char *name, *spec, *method, *prefix; /* prefix of the expected files: ficoco_v / ficoco_l */
    int first_layer, layers;
} ficoco_case;

static const ficoco_case cases[] = {
    {"llava15_ficoco_v_f32", "ficoco-v:start=1,remove=8", "ficoco-v", "ficoco_v", 1, 3},
    {"llava15_ficoco_l_f32", "ficoco-l:start=2,remove=6", "ficoco-l", "ficoco_l", 2, 4},
};

static void check_layers(const ficoco_case *c, const vkvlm_reduction *red, const char *expected) {
    char path[1200], what[128];
    TEST_CHECK_STR(red->method, c->method);
    TEST_CHECK_MSG(red->layer_count == c->layers, "%s: %d merge layers, want %d", c->method, red->layer_count, c->layers);
    for (int i = 0; i < red->layer_count && i < c->layers; i++) {
        const vkvlm_reduction_layer *L = &red->layers[i];
        int l = c->first_layer + i;
        TEST_CHECK(L->layer == l);
        snprintf(what, sizeof what, "%s layer %d discarded", c->method, l);
        snprintf(path, sizeof path, "%s/%s_discarded_layer%d.bin", expected, c->prefix, l);
        golden_compare_file(path, L->discarded, L->discarded_count, 1, 0, what);
        snprintf(what, sizeof what, "%s layer %d targets", c->method, l);
        snprintf(path, sizeof path, "%s/%s_targets_layer%d.bin", expected, c->prefix, l);
        golden_compare_file(path, L->targets, L->discarded_count * L->targets_per_token, 1, 0, what);
        snprintf(what, sizeof what, "%s layer %d alpha", c->method, l);
        snprintf(path, sizeof path, "%s/%s_alpha_layer%d.bin", expected, c->prefix, l);
        golden_compare_file(path, L->alpha, L->discarded_count * L->targets_per_token, 0, 1e-5, what);
        snprintf(what, sizeof what, "%s layer %d scores", c->method, l);
        snprintf(path, sizeof path, "%s/%s_scores_layer%d.bin", expected, c->prefix, l);
        golden_compare_file(path, L->scores, L->score_count, 0, 1e-5, what);
        if (strcmp(c->prefix, "ficoco_v") == 0) {
            snprintf(what, sizeof what, "%s layer %d kept", c->method, l);
            snprintf(path, sizeof path, "%s/%s_kept_layer%d.bin", expected, c->prefix, l);
            golden_compare_file(path, L->kept, L->kept_count, 1, 0, what);
        } else {
            snprintf(what, sizeof what, "%s layer %d kept", c->method, l);
            snprintf(path, sizeof path, "%s/%s_positions_layer%d.bin", expected, c->prefix, l + 1);
            if (l + 1 < 6) golden_compare_file(path, L->kept, L->kept_count, 1, 0, what);
        }
        /* invariants: α rows sum to 1, survivors ascending and disjoint from the discarded */
        for (int d = 0; d < L->discarded_count; d++) {
            double sum = 0;
            for (int t = 0; t < L->targets_per_token; t++) sum += L->alpha[d * L->targets_per_token + t];
            TEST_CHECK_MSG(fabs(sum - 1) < 1e-5, "%s layer %d: alpha row %d sums to %g", c->method, l, d, sum);
        }
        for (int k = 1; k < L->kept_count; k++) TEST_CHECK(L->kept[k - 1] < L->kept[k]);
        for (int k = 0; k < L->kept_count; k++) {
            TEST_CHECK(L->kept[k] >= 0);
            for (int d = 0; d < L->discarded_count; d++) TEST_CHECK(L->kept[k] != L->discarded[d]);
        }
    }
    if (strcmp(c->prefix, "ficoco_l") == 0) {
        snprintf(path, sizeof path, "%s/ficoco_l_final_positions.bin", expected);
        golden_compare_file(path, red->kept_positions, red->kept_count, 1, 0, "ficoco-l final positions");
    }
}

static void run_case(const ficoco_case *c, const char *backend) {
    const char *gd = golden_dir();
    if (!gd) {
        TEST_SKIP("VKVLM_GOLDEN_DIR not set");
        return;
    }
    char model[1024], image[1024], expected[1024], path[1200], label[128];
    char dump[] = "/tmp/vkvlm-ficoco-XXXXXX";
    snprintf(model, sizeof model, "%s/%s/checkpoint", gd, c->name);
    snprintf(image, sizeof image, "%s/%s/image.png", gd, c->name);
    snprintf(expected, sizeof expected, "%s/%s/expected", gd, c->name);
    snprintf(label, sizeof label, "%s/%s", c->name, backend);
    TEST_CHECK(mkdtemp(dump) != NULL);
    vkvlm_session_desc sd = {.model_dir = model, .backend = backend};
    vkvlm_session *s = NULL;
    vkvlm_error err = {0};
    vkvlm_status st = vkvlm_session_create(&sd, &s, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st != VKVLM_OK) return;
    const char *images[] = {image}, *reduce[] = {c->spec};
    vkvlm_generate_desc g = {.prompt = "What is shown in this image?", .images = images, .image_count = 1,
                             .max_new_tokens = 8, .ignore_eos = 1, .dump_dir = dump, .reduce = reduce, .reduce_count = 1};
    vkvlm_result r;
    st = vkvlm_session_generate(s, &g, &r, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st == VKVLM_OK) {
        snprintf(path, sizeof path, "%s/%s_greedy_tokens.bin", expected, c->prefix);
        golden_compare_file(path, r.tokens, r.token_count, 1, 0, "greedy tokens");
        if (strcmp(c->prefix, "ficoco_v") == 0) {
            snprintf(path, sizeof path, "%s/ficoco_v_input_ids.bin", expected);
            golden_compare_file(path, r.prompt_tokens, r.prompt_count, 1, 0, "prompt tokens");
            golden_compare_dump(dump, "vision_features", expected, "ficoco_v_vision_features", 1e-4, label);
            golden_compare_dump(dump, "image_embeddings", expected, "ficoco_v_projector_output", 1e-4, label);
        }
        golden_compare_dump(dump, "logits_last", expected, c->prefix[7] == 'v' ? "ficoco_v_logits_last" : "ficoco_l_logits_last",
                     1e-3, label);
        TEST_CHECK(r.reduction_count == 1);
        if (r.reduction_count == 1) check_layers(c, &r.reductions[0], expected);
        vkvlm_result_free(&r);
    }
    /* the plain model afterwards: nothing leaks from the reduced prompt */
    g.reduce_count = 0;
    g.dump_dir = NULL;
    st = vkvlm_session_generate(s, &g, &r, &err);
    TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
    if (st == VKVLM_OK) {
        snprintf(path, sizeof path, "%s/greedy_tokens.bin", expected);
        golden_compare_file(path, r.tokens, r.token_count, 1, 0, "plain greedy tokens after ficoco");
        TEST_CHECK(r.reduction_count == 0);
        vkvlm_result_free(&r);
    }
    vkvlm_session_destroy(s);
    snprintf(path, sizeof path, "rm -rf %s", dump);
    TEST_CHECK(system(path) == 0);
}

static void test_ficoco_v_vulkan(void) { run_case(&cases[0], "vulkan"); }
static void test_ficoco_v_cpu(void) { run_case(&cases[0], "cpu"); }
static void test_ficoco_l_vulkan(void) { run_case(&cases[1], "vulkan"); }
static void test_ficoco_l_cpu(void) { run_case(&cases[1], "cpu"); }

int main(void) {
    TEST_RUN(test_ficoco_v_vulkan);
    TEST_RUN(test_ficoco_v_cpu);
    TEST_RUN(test_ficoco_l_vulkan);
    TEST_RUN(test_ficoco_l_cpu);
    return test_finish();
}
