/* test_limits.c — limit profiles (gpu/limits.h): parsing presets and overrides, refusing bad ones, lowering
 * but never raising a device's caps, and the context applying a profile to every GPU device (and not to the
 * CPU reference, which stays the oracle). The kernels' fallback paths under a profile are exercised by the
 * test_ops_mobile / test_ops_nosubgroup runs of test_ops (CMakeLists.txt). */
#include <string.h>

#include "core/status.h"
#include "gpu/limits.h"
#include "gpu/ops.h"
#include "gpu_test.h"

static void test_parse(void) {
    gpu_limits l;
    vkvlm_error err = {0};
    TEST_CHECK(gpu_limits_parse("mobile", &l, &err) == VKVLM_OK);
    TEST_CHECK_INT(l.storage_buffer_range, 128u << 20);
    TEST_CHECK_INT(l.shared_bytes, 16u << 10);
    TEST_CHECK_INT(l.invocations, 256);
    TEST_CHECK(l.no_fp16 && l.no_storage8 && l.no_int_dot && l.no_coop_matrix && !l.no_storage16);
    TEST_CHECK(gpu_limits_parse("webgpu", &l, &err) == VKVLM_OK && l.no_storage16);
    TEST_CHECK(gpu_limits_parse("mobile,memory=1G,subgroup_ops=0", &l, &err) == VKVLM_OK);
    TEST_CHECK_INT(l.device_memory, 1ull << 30);
    TEST_CHECK(l.no_subgroup_ops && l.no_fp16);
    TEST_CHECK(gpu_limits_parse("shared=8K,invocations=64,storage_range=64M,fp16=1", &l, &err) == VKVLM_OK);
    TEST_CHECK(l.shared_bytes == 8192 && l.invocations == 64 && l.storage_buffer_range == 64u << 20 && !l.no_fp16);
    TEST_CHECK(gpu_limits_parse(NULL, &l, &err) == VKVLM_OK && l.storage_buffer_range == 0);
    const char *bad[] = {"tablet", "memory=", "memory=-5", "memory=12Q", "shared=0", "fp16=maybe", "colour=blue",
                         "invocations=99999999999"};
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
    gpu_limits l;
    vkvlm_error err = {0};
    TEST_CHECK(gpu_limits_parse("mobile,fp16=1,memory=4G", &l, &err) == VKVLM_OK);
    gpu_limits_apply(&l, &caps);
    TEST_CHECK_INT(caps.max_storage_buffer_range, 64u << 20); /* the device's own, lower, stays */
    TEST_CHECK_INT(caps.max_shared_bytes, 16384);
    TEST_CHECK_INT(caps.max_workgroup_invocations, 128);
    TEST_CHECK(!caps.fp16_arithmetic); /* "fp16=1" never turns a feature on */
    TEST_CHECK(caps.storage_16bit);
    TEST_CHECK_INT(caps.device_local_bytes, 1ull << 30);
    TEST_CHECK(caps.subgroup_ops == GPU_SUBGROUP_ARITHMETIC);
}

static void test_context_applies_profile(void) {
    gpu_context_desc desc = {.validation = -1, .limits = "mobile,subgroup_ops=0,memory=64M"};
    gpu_context *ctx = NULL;
    vkvlm_error err = {0};
    TEST_CHECK(gpu_context_create(&desc, &ctx, &err) == VKVLM_OK);
    if (!ctx) return;
    TEST_CHECK_STR(gpu_context_limits(ctx), "mobile,subgroup_ops=0,memory=64M");
    for (int i = 0; i < gpu_context_device_count(ctx); i++) {
        const gpu_caps *c = &gpu_context_device(ctx, i)->caps;
        if (c->backend == GPU_BACKEND_CPU) {
            TEST_CHECK(c->max_storage_buffer_range > (128u << 20)); /* the oracle is left alone */
            continue;
        }
        TEST_CHECK(c->max_storage_buffer_range <= (128u << 20) && c->max_shared_bytes <= 16384 &&
                   c->max_workgroup_invocations <= 256 && !c->fp16_arithmetic && c->subgroup_ops == 0 &&
                   c->device_local_bytes <= (64u << 20));
    }
    gpu_context_destroy(ctx);
    desc.limits = "nonsense";
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(gpu_context_create(&desc, &ctx, &err), VKVLM_ERR_USAGE);
}

/* Which kernels a device with profile `limits` picks for an RMSNorm and an f16 mat-vec, and how many
 * binding chunks a 1 MiB weight takes. */
static void kernels_chosen(const char *limits, char *norm, char *linear, uint32_t *chunks) {
    gpu_context_desc desc = {.validation = 1, .limits = limits};
    gpu_context *ctx = NULL;
    vkvlm_error err = {0};
    norm[0] = linear[0] = '\0';
    *chunks = 0;
    int index = -1;
    if (gpu_context_create(&desc, &ctx, &err) != VKVLM_OK) return;
    gpu_device *dev = NULL;
    if (gpu_context_select(ctx, GPU_BACKEND_VULKAN, NULL, &index, &err) == VKVLM_OK &&
        gpu_device_create(ctx, index, &(gpu_device_desc){.cache_dir = ""}, &dev, &err) == VKVLM_OK) {
        gpu_buffer *x = NULL, *w = NULL, *y = NULL;
        gpu_buffer_create(dev, &(gpu_buffer_desc){.size = 4096}, &x, &err);
        gpu_buffer_create(dev, &(gpu_buffer_desc){.size = 1 << 20}, &w, &err);
        gpu_buffer_create(dev, &(gpu_buffer_desc){.size = 4096}, &y, &err);
        gpu_weight view;
        gpu_cmd *cmd = NULL;
        if (x && w && y && gpu_weight_view(&view, gpu_device_caps(dev), w, 0, GPU_WEIGHT_F16, 512, 1024, 0, &err) == VKVLM_OK &&
            gpu_cmd_begin(dev, &cmd, &err) == VKVLM_OK) {
            *chunks = view.chunk_count;
            gpu_op_rmsnorm_f32(cmd, (gpu_binding){y, 0, 1024}, (gpu_binding){x, 0, 1024}, (gpu_binding){x, 0, 1024}, 1, 256,
                               1e-5f, &err);
            gpu_op_linear(cmd, (gpu_binding){y, 0, 2048}, (gpu_binding){x, 0, 4096}, &view, (gpu_binding){0}, 1, NULL, &err);
            if (gpu_cmd_submit(cmd, &err) == VKVLM_OK && gpu_cmd_wait(cmd, &err) == VKVLM_OK) {
                int count = 0;
                const gpu_profile_entry *p = gpu_cmd_profile(cmd, &count);
                if (count >= 2) {
                    snprintf(norm, 64, "%s", p[0].label);
                    snprintf(linear, 64, "%s", p[1].label);
                }
            }
            gpu_cmd_destroy(cmd);
        }
        gpu_buffer_destroy(x);
        gpu_buffer_destroy(w);
        gpu_buffer_destroy(y);
    }
    gpu_device_destroy(dev);
    gpu_test_check_validation(ctx);
    gpu_context_destroy(ctx);
}

/* Each override makes the engine take its fallback: proven by the kernel names the profile records. */
static void test_overrides_take_fallbacks(void) {
    gpu_context *probe = gpu_test_context();
    bool vulkan = probe && gpu_test_require_vulkan(probe);
    gpu_context_destroy(probe);
    if (!vulkan) return;
    char norm[64], linear[64];
    uint32_t chunks;
    kernels_chosen(NULL, norm, linear, &chunks);
    TEST_CHECK_STR(norm, "norm_rms_sg_f32"); /* lavapipe has subgroup arithmetic and 16-bit storage */
    TEST_CHECK_STR(linear, "matmul_vec_f16");
    TEST_CHECK_INT(chunks, 1);
    kernels_chosen("subgroup_ops=0", norm, linear, &chunks);
    TEST_CHECK_STR(norm, "norm_rms_f32");
    TEST_CHECK_STR(linear, "matmul_vecsh_f16");
    kernels_chosen("storage16=0", norm, linear, &chunks);
    TEST_CHECK_STR(linear, "matmul_vec_f16p");
    kernels_chosen("storage_range=256K", norm, linear, &chunks);
    TEST_CHECK_INT(chunks, 4); /* a 1 MiB f16 weight over 256 KiB bindings */
}

int main(void) {
    TEST_RUN(test_overrides_take_fallbacks);
    TEST_RUN(test_parse);
    TEST_RUN(test_apply_only_lowers);
    TEST_RUN(test_context_applies_profile);
    return test_finish();
}
