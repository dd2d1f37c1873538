/* test_ops.c — every op case of the shared table (gpu/op_check.c) on every Vulkan device, against the CPU
 * reference, with the validation layer on. VKVLM_OP_FILTER=substring runs only matching cases;
 * VKVLM_TEST_SEED changes the inputs (the seed is printed on failure). */
#include <inttypes.h>
#include <string.h>

#include "gpu/op_check.h"
#include "gpu_test.h"

static uint64_t seed(void) {
    const char *s = getenv("VKVLM_TEST_SEED");
    return s ? strtoull(s, NULL, 0) : 0x5EEDull;
}

static void test_all_ops_on_vulkan(void) {
    gpu_context *ctx = gpu_test_context();
    TEST_CHECK(ctx != NULL);
    if (!ctx) return;
    if (!gpu_test_require_vulkan(ctx)) {
        gpu_context_destroy(ctx);
        return;
    }
    vkvlm_error err = {0};
    int ref_index = -1;
    TEST_CHECK(gpu_context_select(ctx, GPU_BACKEND_CPU, NULL, &ref_index, &err) == VKVLM_OK);
    gpu_device *ref = NULL;
    TEST_CHECK(gpu_device_create(ctx, ref_index, NULL, &ref, &err) == VKVLM_OK);
    const char *filter = getenv("VKVLM_OP_FILTER");
    for (int d = 0; d < gpu_context_device_count(ctx) && ref; d++) {
        const gpu_device_info *info = gpu_context_device(ctx, d);
        if (info->backend != GPU_BACKEND_VULKAN) continue;
        gpu_device *dev = NULL;
        vkvlm_status st = gpu_device_create(ctx, d, NULL, &dev, &err);
        TEST_CHECK_MSG(st == VKVLM_OK, "%s", err.message);
        if (st != VKVLM_OK) continue;
        int passed = 0, failed = 0;
        for (int i = 0; i < op_check_count(); i++) {
            char name[128];
            op_check_name(i, name, sizeof name);
            if (filter && !strstr(name, filter)) continue;
            op_check_result r = op_check_run(i, dev, ref, seed());
            if (r.outcome == OP_CHECK_FAIL) {
                failed++;
                TEST_CHECK_MSG(0, "%s on %s (seed 0x%" PRIx64 "): %s", r.name, info->caps.name, seed(), r.detail);
            } else if (r.outcome == OP_CHECK_PASS) {
                passed++;
            }
        }
        fprintf(stderr, "%s: %d op cases passed, %d failed\n", info->caps.name, passed, failed);
        gpu_device_destroy(dev);
    }
    gpu_device_destroy(ref);
    gpu_test_check_validation(ctx);
    gpu_context_destroy(ctx);
}

int main(void) {
    TEST_RUN(test_all_ops_on_vulkan);
    return test_finish();
}
