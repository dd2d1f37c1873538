/* gpu_test.h — what every GPU test shares: a context with the validation layer forced on, a logger that
 * shows validation messages, and the end-of-test rule that any validation message fails the test. */
#ifndef VKVLM_GPU_TEST_H
#define VKVLM_GPU_TEST_H

#include <stdio.h>
#include <stdlib.h>

#include "gpu/gpu.h"
#include "test.h"

static void gpu_test_log(void *user, vkvlm_log_level level, const char *message) {
    (void)user;
    fprintf(stderr, "[%s] %s\n", level == VKVLM_LOG_ERROR ? "error" : "warn", message);
}

/* A context with validation on (unless VKVLM_VALIDATE=0 is set explicitly, for timing experiments). */
static inline gpu_context *gpu_test_context(void) {
    const char *env = getenv("VKVLM_VALIDATE");
    gpu_context_desc desc = {.logger = {.fn = gpu_test_log, .max_level = VKVLM_LOG_WARN},
                             .validation = env && env[0] == '0' ? -1 : 1};
    gpu_context *ctx = NULL;
    vkvlm_error err = {0};
    if (gpu_context_create(&desc, &ctx, &err) != VKVLM_OK) {
        fprintf(stderr, "gpu context: %s\n", err.message);
        return NULL;
    }
    return ctx;
}

/* Vulkan devices must exist where the tests run (lavapipe in CI); VKVLM_ALLOW_NO_VULKAN=1 relaxes that
 * for machines without any driver, turning the Vulkan tests into skips. */
static inline bool gpu_test_require_vulkan(gpu_context *ctx) {
    for (int i = 0; i < gpu_context_device_count(ctx); i++)
        if (gpu_context_device(ctx, i)->backend == GPU_BACKEND_VULKAN) return true;
    const char *allow = getenv("VKVLM_ALLOW_NO_VULKAN");
    if (allow && allow[0] == '1') {
        TEST_SKIP("no Vulkan device: %s", gpu_context_vulkan_note(ctx) ? gpu_context_vulkan_note(ctx) : "?");
    } else {
        TEST_CHECK_MSG(0, "no Vulkan device (%s); set VKVLM_ALLOW_NO_VULKAN=1 to skip",
                       gpu_context_vulkan_note(ctx) ? gpu_context_vulkan_note(ctx) : "?");
    }
    return false;
}

static inline void gpu_test_check_validation(gpu_context *ctx) {
    TEST_CHECK_MSG(gpu_context_validation_messages(ctx) == 0, "%llu validation message(s), see above",
                   (unsigned long long)gpu_context_validation_messages(ctx));
}

#endif
