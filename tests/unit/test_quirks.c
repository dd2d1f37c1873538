/* test_quirks.c — the driver-quirk table (vk_quirks.c) and its effects (gpu/quirks.c) on caps made up to look
 * like the devices the rules are about, with no driver involved: every row names a known flag and carries a
 * symptom and a source; each rule fires on the device it describes and on no other; each flag changes the
 * caps the way gpu.h says; VKVLM_QUIRKS parsing sets and clears by name and refuses unknown names. What a forced
 * quirk does on a real device (lavapipe, SwiftShader) is test_limits_paths.c. */
#include <stdlib.h>
#include <string.h>

#include "core/file_map.h"
#include "core/status.h"
#include "gpu/quirks.h"
#include "gpu/vulkan/vk_internal.h"
#include "test.h"

static void count_quirk(void *user, const char *name) { (*(int *)user)++; }

static int quirk_count(const gpu_caps *caps) {
    int n = 0;
    gpu_quirks_each(&caps->quirks, count_quirk, &n);
    return n;
}

/* A driver's view of itself, before the rules: what vk_probe_caps fills in. */
static gpu_caps device(const char *name, uint32_t vendor, gpu_device_type type, uint32_t subgroup, uint32_t lo,
                       uint32_t hi, bool size_control) {
    gpu_caps c = {.backend = GPU_BACKEND_VULKAN, .vendor_id = vendor, .type = type, .subgroup_size = subgroup,
                  .subgroup_min_size = lo, .subgroup_max_size = hi, .subgroup_size_control = size_control,
                  .max_compute_workgroup_subgroups = size_control ? 16 : 0,
                  .subgroup_ops = GPU_SUBGROUP_BASIC | GPU_SUBGROUP_ARITHMETIC, .fp16_arithmetic = true,
                  .max_workgroup_invocations = 1024, .max_workgroup_size = {1024, 1024, 64}};
    snprintf(c.name, sizeof c.name, "%s", name);
    return c;
}

static void applied(gpu_caps *c) {
    vk_quirks_apply(c);
    gpu_quirks_finish(c, NULL);
}

static void test_table_rows_are_complete(void) {
    int count = 0;
    const vk_quirk_rule *rules = vk_quirk_rules(&count);
    TEST_CHECK(count >= 4);
    for (int i = 0; i < count; i++) {
        gpu_quirks q = {0};
        TEST_CHECK_MSG(gpu_quirks_mark(&q, rules[i].quirk, "x", "y"), "rule %d names unknown quirk '%s'", i, rules[i].quirk);
        TEST_CHECK_MSG(rules[i].symptom && strlen(rules[i].symptom) > 20, "rule %d (%s): no symptom", i, rules[i].quirk);
        TEST_CHECK_MSG(rules[i].source && strlen(rules[i].source) > 5, "rule %d (%s): no source", i, rules[i].quirk);
    }
    gpu_quirks q = {0};
    TEST_CHECK(!gpu_quirks_mark(&q, "no_such_quirk", "x", "y"));
}

static void test_cpu_driver(void) {
    gpu_caps c = device("llvmpipe (LLVM 15.0.6, 256 bits)", 0x10005, GPU_DEVICE_CPU, 8, 8, 8, true);
    gpu_caps before = c;
    applied(&c);
    TEST_CHECK(c.quirks.slow_shared_memory);
    TEST_CHECK_INT(quirk_count(&c), 1);
    /* informational: the caps kernels choose from are untouched */
    TEST_CHECK(c.fp16_arithmetic == before.fp16_arithmetic && c.subgroup_ops == before.subgroup_ops &&
               c.subgroup_required_size == 0 && c.max_workgroup_invocations == before.max_workgroup_invocations);
}

static void test_powervr_rogue(void) {
    gpu_caps c = device("PowerVR Rogue GE8320", 0x1010, GPU_DEVICE_INTEGRATED, 1, 1, 1, false);
    applied(&c);
    TEST_CHECK(c.quirks.fp16_inaccurate && c.quirks.subgroup_size_one && !c.quirks.slow_shared_memory);
    TEST_CHECK(!c.fp16_arithmetic);
    TEST_CHECK_INT(c.subgroup_ops, 0);
    /* a Rogue that reports real subgroups keeps them; only fp16 is off */
    c = device("PowerVR Rogue GE8320", 0x1010, GPU_DEVICE_INTEGRATED, 32, 32, 32, false);
    applied(&c);
    TEST_CHECK(c.quirks.fp16_inaccurate && !c.quirks.subgroup_size_one && c.subgroup_ops != 0);
    /* the evidence is about Rogue; other Imagination GPUs get no rule */
    c = device("PowerVR B-Series BXM-8-256", 0x1010, GPU_DEVICE_INTEGRATED, 128, 128, 128, false);
    applied(&c);
    TEST_CHECK_INT(quirk_count(&c), 0);
    TEST_CHECK(c.fp16_arithmetic);
}

static void test_subgroup_range(void) {
    /* Adreno 6xx-like: default 64, 64..128 with size control: pinned to 64 */
    gpu_caps c = device("Adreno (TM) 650", 0x5143, GPU_DEVICE_INTEGRATED, 64, 64, 128, true);
    applied(&c);
    TEST_CHECK(c.quirks.subgroup_size_varies);
    TEST_CHECK_INT(c.subgroup_required_size, 64);
    TEST_CHECK_INT(c.subgroup_size, 64);
    TEST_CHECK(c.subgroup_ops != 0 && c.max_workgroup_invocations == 64 * 16);
    /* a range without a way to require a size in compute: the subgroup kernels go */
    c = device("Intel(R) Xe Graphics (TGL GT2)", 0x8086, GPU_DEVICE_INTEGRATED, 32, 8, 32, false);
    applied(&c);
    TEST_CHECK(c.quirks.subgroup_size_varies && c.subgroup_required_size == 0 && c.subgroup_ops == 0);
    /* one size (NVIDIA 32..32, lavapipe 8..8): nothing varies */
    c = device("NVIDIA H200", 0x10DE, GPU_DEVICE_DISCRETE, 32, 32, 32, true);
    applied(&c);
    TEST_CHECK_INT(quirk_count(&c), 0);
    TEST_CHECK_INT(c.subgroup_required_size, 0);
}

/* Each set flag carries its rule's own symptom and source string, which vkvlm devices prints. */
static void test_symptoms_listed(void) {
    gpu_caps c = device("PowerVR Rogue GE8320", 0x1010, GPU_DEVICE_INTEGRATED, 1, 1, 1, false);
    applied(&c);
    int count = 0, listed = 0;
    const vk_quirk_rule *rules = vk_quirk_rules(&count);
    for (int i = 0; i < GPU_QUIRK_COUNT; i++) {
        if (!c.quirks.symptom[i]) continue;
        listed++;
        bool from_table = false;
        for (int r = 0; r < count; r++) from_table |= c.quirks.symptom[i] == rules[r].symptom;
        TEST_CHECK(from_table);
        TEST_CHECK(c.quirks.source[i] && strstr(c.quirks.source[i], "Hey-PowerVR-FP16"));
    }
    TEST_CHECK_INT(listed, 2);
}

static void test_overrides(void) {
    gpu_quirk_overrides o;
    vkvlm_error err = {0};
    TEST_CHECK(gpu_quirks_parse(NULL, &o, &err) == VKVLM_OK && o.set == 0 && o.clear == 0);
    TEST_CHECK(gpu_quirks_parse("fp16_inaccurate,-slow_shared_memory,", &o, &err) == VKVLM_OK);
    gpu_caps c = device("llvmpipe", 0x10005, GPU_DEVICE_CPU, 8, 8, 8, true);
    vk_quirks_apply(&c);
    gpu_quirks_finish(&c, &o);
    TEST_CHECK(c.quirks.fp16_inaccurate && !c.quirks.slow_shared_memory && !c.fp16_arithmetic);
    TEST_CHECK_INT(quirk_count(&c), 1);
    /* the later of "x" and "-x" wins */
    TEST_CHECK(gpu_quirks_parse("subgroup_size_one,-subgroup_size_one", &o, &err) == VKVLM_OK);
    c = device("llvmpipe", 0x10005, GPU_DEVICE_CPU, 8, 8, 8, true);
    vk_quirks_apply(&c);
    gpu_quirks_finish(&c, &o);
    TEST_CHECK(!c.quirks.subgroup_size_one && c.subgroup_ops != 0);
    /* clearing a rule's quirk restores what the driver claims */
    TEST_CHECK(gpu_quirks_parse("-fp16_inaccurate", &o, &err) == VKVLM_OK);
    c = device("PowerVR Rogue GE8320", 0x1010, GPU_DEVICE_INTEGRATED, 1, 1, 1, false);
    vk_quirks_apply(&c);
    gpu_quirks_finish(&c, &o);
    TEST_CHECK(c.fp16_arithmetic && c.quirks.subgroup_size_one);
    const char *bad[] = {"fp16", "-", "fp16_inaccurate,bogus", "-bogus"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vkvlm_error_clear(&err);
        TEST_CHECK_MSG(gpu_quirks_parse(bad[i], &o, &err) == VKVLM_ERR_USAGE, "'%s' accepted", bad[i]);
        TEST_CHECK_MSG(strstr(err.message, "VKVLM_QUIRKS") && strstr(err.message, "known: slow_shared_memory"), "%s",
                       err.message);
    }
}

/* docs/portability.md's quirk table stays in step with the code: every rule's flag and source appear there. */
static void test_documented(void) {
    const char *src = getenv("VKVLM_SOURCE_DIR");
    if (!src || !*src) {
        TEST_SKIP("VKVLM_SOURCE_DIR is not set");
        return;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/portability.md", src);
    vkvlm_file_map map = {0};
    vkvlm_error err = {0};
    TEST_CHECK_MSG(vkvlm_file_map_open(&map, path, &err) == VKVLM_OK, "%s", err.message);
    char *doc = calloc(1, map.size + 1);
    if (doc && map.data) memcpy(doc, map.data, map.size);
    vkvlm_file_map_close(&map);
    int count = 0;
    const vk_quirk_rule *rules = vk_quirk_rules(&count);
    for (int i = 0; doc && i < count; i++) {
        char flag[80];
        snprintf(flag, sizeof flag, "| `%s` |", rules[i].quirk);
        TEST_CHECK_MSG(strstr(doc, flag) != NULL, "docs/portability.md has no table row for %s", rules[i].quirk);
        TEST_CHECK_MSG(strstr(doc, rules[i].source) != NULL, "docs/portability.md lacks %s's source \"%s\"",
                       rules[i].quirk, rules[i].source);
    }
    free(doc);
}

int main(void) {
    TEST_RUN(test_table_rows_are_complete);
    TEST_RUN(test_cpu_driver);
    TEST_RUN(test_powervr_rogue);
    TEST_RUN(test_subgroup_range);
    TEST_RUN(test_symptoms_listed);
    TEST_RUN(test_overrides);
    TEST_RUN(test_documented);
    return test_finish();
}
