/* test_limits.c — limit profiles (gpu/limits.h): parsing presets and overrides, refusing bad ones, lowering
 * but never raising a device's caps, forced subgroup sizes accepted only inside a device's range, and the
 * context applying a profile to every GPU device (and not to the CPU reference, which stays the oracle).
 * What each override makes the engine choose is test_limits_paths.c; the kernels' results under a profile
 * are the test_ops_mobile / test_ops_nosubgroup / test_ops_subgroup_* runs of test_ops (CMakeLists.txt). */
#include <string.h>

#include "core/status.h"
#include "gpu/limits.h"
#include "gpu_test.h"

static void test_parse(void) {
    gpu_limits l;
    vkvlm_error err = {0};
    TEST_CHECK(gpu_limits_parse("mobile", &l, &err) == VKVLM_OK);
    TEST_CHECK_INT(l.storage_buffer_range, 128u << 20);
    TEST_CHECK_INT(l.shared_bytes, 16u << 10);
    TEST_CHECK_INT(l.invocations, 256);
    TEST_CHECK(l.no_fp16 && l.no_storage8 && l.no_int_dot && l.no_coop_matrix && !l.no_storage16);
    TEST_CHECK_INT(l.storage_buffers, 8);
    TEST_CHECK(l.subgroup == GPU_LIMITS_SUBGROUP_DEFAULT);
    TEST_CHECK(gpu_limits_parse("webgpu", &l, &err) == VKVLM_OK && l.no_storage16 && l.storage_buffers == 8);
    TEST_CHECK(gpu_limits_parse("mobile,memory=1G,subgroup_ops=0", &l, &err) == VKVLM_OK);
    TEST_CHECK_INT(l.device_memory, 1ull << 30);
    TEST_CHECK(l.no_subgroup_ops && l.no_fp16);
    TEST_CHECK(gpu_limits_parse("shared=8K,invocations=64,storage_range=64M,fp16=1", &l, &err) == VKVLM_OK);
    TEST_CHECK(l.shared_bytes == 8192 && l.invocations == 64 && l.storage_buffer_range == 64u << 20 && !l.no_fp16);
    TEST_CHECK(gpu_limits_parse("storage_buffers=4,subgroup_size=16", &l, &err) == VKVLM_OK);
    TEST_CHECK(l.storage_buffers == 4 && l.subgroup == GPU_LIMITS_SUBGROUP_SIZE && l.subgroup_size == 16);
    TEST_CHECK(gpu_limits_parse("subgroup_size=min", &l, &err) == VKVLM_OK && l.subgroup == GPU_LIMITS_SUBGROUP_MIN);
    TEST_CHECK(gpu_limits_parse("mobile,subgroup_size=max", &l, &err) == VKVLM_OK && l.subgroup == GPU_LIMITS_SUBGROUP_MAX);
    TEST_CHECK(gpu_limits_parse(NULL, &l, &err) == VKVLM_OK && l.storage_buffer_range == 0);
    const char *bad[] = {"tablet", "memory=", "memory=-5", "memory=12Q", "shared=0", "fp16=maybe", "colour=blue",
                         "invocations=99999999999", "storage_buffers=0", "subgroup_size=12", "subgroup_size=256",
                         "subgroup_size=0", "subgroup_size=smallest"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vkvlm_error_clear(&err);
        TEST_CHECK_MSG(gpu_limits_parse(bad[i], &l, &err) == VKVLM_ERR_USAGE, "'%s' was accepted", bad[i]);
        TEST_CHECK_MSG(strstr(err.message, "--limits") != NULL, "%s", err.message);
    }
}

static void test_apply_only_lowers(void) {
    gpu_caps caps = {.max_storage_buffer_range = 64u << 20, .max_shared_bytes = 32768, .max_workgroup_invocations = 128,
                     .fp16_arithmetic = false, .storage_16bit = true, .subgroup_ops = GPU_SUBGROUP_ARITHMETIC,
                     .device_local_bytes = 1ull << 30};
    caps.max_storage_buffers = 6;
    gpu_limits l;
    vkvlm_error err = {0};
    TEST_CHECK(gpu_limits_parse("mobile,fp16=1,memory=4G", &l, &err) == VKVLM_OK);
    gpu_limits_apply(&l, &caps);
    TEST_CHECK_INT(caps.max_storage_buffers, 6); /* below the preset's 8: kept */
    TEST_CHECK_INT(caps.max_storage_buffer_range, 64u << 20); /* the device's own, lower, stays */
    TEST_CHECK_INT(caps.max_shared_bytes, 16384);
    TEST_CHECK_INT(caps.max_workgroup_invocations, 128);
    TEST_CHECK(!caps.fp16_arithmetic); /* "fp16=1" never turns a feature on */
    TEST_CHECK(caps.storage_16bit);
    TEST_CHECK_INT(caps.device_local_bytes, 1ull << 30);
    TEST_CHECK(caps.subgroup_ops == GPU_SUBGROUP_ARITHMETIC);
}

/* subgroup_size=N|min|max: accepted only where the device can require that size, and then it pins the size
 * and lowers the invocation limit to what maxComputeWorkgroupSubgroups subgroups hold. */
static void test_subgroup_size(void) {
    gpu_caps ranged = {.name = "ranged", .subgroup_size = 32, .subgroup_min_size = 8, .subgroup_max_size = 32,
                       .subgroup_size_control = true, .max_compute_workgroup_subgroups = 16,
                       .max_workgroup_invocations = 1024, .max_workgroup_size = {1024, 1024, 64}};
    gpu_caps fixed = ranged;
    fixed.subgroup_size_control = false;
    fixed.subgroup_min_size = fixed.subgroup_max_size = 32;
    gpu_limits l;
    vkvlm_error err = {0};
    TEST_CHECK(gpu_limits_parse("subgroup_size=8", &l, &err) == VKVLM_OK);
    TEST_CHECK(gpu_limits_check(&l, &ranged, &err) == VKVLM_OK);
    gpu_caps c = ranged;
    gpu_limits_apply(&l, &c);
    TEST_CHECK(c.subgroup_size == 8 && c.subgroup_required_size == 8);
    TEST_CHECK_INT(c.max_workgroup_invocations, 8 * 16);
    TEST_CHECK(c.max_workgroup_size[0] == 128 && c.max_workgroup_size[2] == 64);
    TEST_CHECK(gpu_limits_parse("subgroup_size=max", &l, &err) == VKVLM_OK);
    c = ranged;
    gpu_limits_apply(&l, &c);
    TEST_CHECK(c.subgroup_required_size == 32 && c.max_workgroup_invocations == 512);
    const char *refused[] = {"subgroup_size=64", "subgroup_size=4"};
    for (size_t i = 0; i < 2; i++) {
        vkvlm_error_clear(&err);
        TEST_CHECK(gpu_limits_parse(refused[i], &l, &err) == VKVLM_OK);
        TEST_CHECK_INT(gpu_limits_check(&l, &ranged, &err), VKVLM_ERR_UNSUPPORTED);
        TEST_CHECK_MSG(strstr(err.message, "8..32") && strstr(err.message, "ranged"), "%s", err.message);
    }
    vkvlm_error_clear(&err);
    TEST_CHECK(gpu_limits_parse("subgroup_size=min", &l, &err) == VKVLM_OK);
    TEST_CHECK_INT(gpu_limits_check(&l, &fixed, &err), VKVLM_ERR_UNSUPPORTED);
    TEST_CHECK_MSG(strstr(err.message, "subgroup size control") != NULL, "%s", err.message);
    c = fixed;
    gpu_limits_apply(&l, &c); /* refused by the check; apply alone still changes nothing */
    TEST_CHECK(c.subgroup_required_size == 0 && c.max_workgroup_invocations == 1024);
}

static void test_context_applies_profile(void) {
    gpu_context_desc desc = {.validation = -1, .limits = "mobile,subgroup_ops=0,memory=64M,storage_buffers=5"};
    gpu_context *ctx = NULL;
    vkvlm_error err = {0};
    TEST_CHECK(gpu_context_create(&desc, &ctx, &err) == VKVLM_OK);
    if (!ctx) return;
    TEST_CHECK_STR(gpu_context_limits(ctx), "mobile,subgroup_ops=0,memory=64M,storage_buffers=5");
    for (int i = 0; i < gpu_context_device_count(ctx); i++) {
        const gpu_caps *c = &gpu_context_device(ctx, i)->caps;
        if (c->backend == GPU_BACKEND_CPU) {
            TEST_CHECK(c->max_storage_buffer_range > (128u << 20)); /* the oracle is left alone */
            continue;
        }
        TEST_CHECK(c->max_storage_buffer_range <= (128u << 20) && c->max_shared_bytes <= 16384 &&
                   c->max_workgroup_invocations <= 256 && !c->fp16_arithmetic && c->subgroup_ops == 0 &&
                   c->device_local_bytes <= (64u << 20) && c->max_storage_buffers <= 5);
    }
    gpu_context_destroy(ctx);
    desc.limits = "nonsense";
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(gpu_context_create(&desc, &ctx, &err), VKVLM_ERR_USAGE);
    /* a size no GPU here can require fails the context, naming the device (lavapipe 8, SwiftShader 4) */
    desc.limits = "subgroup_size=128";
    vkvlm_error_clear(&err);
    gpu_context *probe = NULL;
    desc.no_vulkan = true; /* the CPU reference alone accepts it: the profile does not apply to the oracle */
    TEST_CHECK(gpu_context_create(&desc, &probe, &err) == VKVLM_OK);
    gpu_context_destroy(probe);
    desc.no_vulkan = false;
    vkvlm_status st = gpu_context_create(&desc, &ctx, &err);
    if (st == VKVLM_OK) { /* no Vulkan device, or only ones that can run subgroups of 128 (some Adreno) */
        gpu_context_destroy(ctx);
        return;
    }
    TEST_CHECK_INT(st, VKVLM_ERR_UNSUPPORTED);
    TEST_CHECK_MSG(strstr(err.message, "subgroup_size=128") != NULL, "%s", err.message);
}

int main(void) {
    TEST_RUN(test_subgroup_size);
    TEST_RUN(test_parse);
    TEST_RUN(test_apply_only_lowers);
    TEST_RUN(test_context_applies_profile);
    return test_finish();
}
