/* op_check_main.c — the wasm module's entry point for tests/web/test_ops_node.mjs: every op case of the
 * shared table (gpu/op_check.c) on the WebGPU device against the CPU reference, like tests/unit/test_ops.c
 * does on Vulkan. Cases whose kernels have no WGSL twin yet are reported as skipped, not failed.
 *
 * usage (arguments come from the JS loader): [filter-substring]
 * Prints one line per case ("pass NAME", "FAIL NAME: detail", "skip NAME: why"), then
 * "N passed, N failed, N skipped"; exits 0 when nothing failed and at least one case passed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/op_check.h"
#include "gpu/webgpu/wgsl_table.h"

int main(int argc, char **argv) {
    const char *filter = argc > 1 && argv[1][0] ? argv[1] : NULL;
    const char *seed_env = getenv("VKVLM_TEST_SEED");
    uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : 0x5EEDull;
    vkvlm_error err = {0};
    gpu_context *ctx = NULL;
    if (gpu_context_create(NULL, &ctx, &err) != VKVLM_OK) {
        printf("FAIL context: %s\n", err.message);
        return 1;
    }
    int dev_index = -1, ref_index = -1;
    gpu_device *dev = NULL, *ref = NULL;
    if (gpu_context_select(ctx, GPU_BACKEND_WEBGPU, NULL, &dev_index, &err) != VKVLM_OK ||
        gpu_context_select(ctx, GPU_BACKEND_CPU, NULL, &ref_index, &err) != VKVLM_OK ||
        gpu_device_create(ctx, dev_index, NULL, &dev, &err) != VKVLM_OK ||
        gpu_device_create(ctx, ref_index, NULL, &ref, &err) != VKVLM_OK) {
        printf("FAIL device: %s\n", err.message);
        gpu_device_destroy(dev);
        gpu_context_destroy(ctx);
        return 1;
    }
    const gpu_caps *caps = gpu_device_caps(dev);
    printf("device: %s (%s, invocations %u, binding %" PRIu64 " MiB, subgroup %u..%u, f16 %s)\n", caps->name,
           gpu_device_type_name(caps->type), caps->max_workgroup_invocations,
           caps->max_storage_buffer_range >> 20, caps->subgroup_min_size, caps->subgroup_max_size,
           caps->fp16_arithmetic ? "yes" : "no");
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 0; i < op_check_count(); i++) {
        char name[128];
        op_check_name(i, name, sizeof name);
        if (filter && !strstr(name, filter)) continue;
        int missing_before = gpu_webgpu_missing_kernels();
        op_check_result r = op_check_run(i, dev, ref, seed);
        if (gpu_webgpu_missing_kernels() != missing_before) {
            skipped++;
            printf("skip %s: %s\n", r.name, r.detail);
        } else if (r.outcome == OP_CHECK_FAIL) {
            failed++;
            printf("FAIL %s (seed 0x%" PRIx64 "): %s\n", r.name, seed, r.detail);
        } else if (r.outcome == OP_CHECK_SKIP) {
            skipped++;
            printf("skip %s: %s\n", r.name, r.detail);
        } else {
            passed++;
            printf("pass %s (nmse %.2e)\n", r.name, r.nmse);
        }
    }
    int uncaptured = gpu_webgpu_error_count();
    if (uncaptured) {
        failed++;
        printf("FAIL webgpu: %d uncaptured WebGPU errors\n", uncaptured);
    }
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    gpu_device_destroy(ref);
    gpu_device_destroy(dev);
    gpu_context_destroy(ctx);
    /* exit(), not return: with ASYNCIFY, main's return value does not reliably end the runtime. */
    exit(failed == 0 && passed > 0 ? 0 : 1);
}
