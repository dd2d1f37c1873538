/* test_validation.c — proves the check the other GPU tests rely on: a deliberate API misuse must be
 * counted by the validation messenger. If this test fails, "zero validation messages" elsewhere means
 * nothing. */
#include "gpu/vulkan/vk_internal.h"
#include "gpu_test.h"

static void test_planted_misuse_is_counted(void) {
    gpu_context *ctx = gpu_test_context();
    TEST_CHECK(ctx != NULL);
    if (!ctx) return;
    if (!gpu_test_require_vulkan(ctx)) {
        gpu_context_destroy(ctx);
        return;
    }
    TEST_CHECK(gpu_context_validation_enabled(ctx));
    vkvlm_error err = {0};
    int index = -1;
    TEST_CHECK(gpu_context_select(ctx, GPU_BACKEND_VULKAN, NULL, &index, &err) == VKVLM_OK);
    gpu_device *dev = NULL;
    TEST_CHECK(gpu_device_create(ctx, index, NULL, &dev, &err) == VKVLM_OK);
    if (dev) {
        TEST_CHECK_INT(gpu_context_validation_messages(ctx), 0);
        fprintf(stderr, "planting a misuse; one validation error below is expected:\n");
        vk_debug_plant_misuse(dev);
        TEST_CHECK_MSG(gpu_context_validation_messages(ctx) > 0, "the planted misuse was not reported");
    }
    gpu_device_destroy(dev);
    gpu_context_destroy(ctx);
}

int main(void) {
    TEST_RUN(test_planted_misuse_is_counted);
    return test_finish();
}
