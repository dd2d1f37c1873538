/* selftest.c — `vkvlm selftest`: runs every kernel case of the shared op table (gpu/op_check.c) on the
 * chosen device against the CPU reference, and says which pass. Exit 1 if any fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "gpu/op_check.h"

static const char selftest_usage[] =
    "usage: vkvlm selftest [--backend vulkan|cpu] [--device N|NAME] [--filter TEXT]\n"
    "  runs every kernel case on the device and compares it with the CPU reference.\n"
    "  --backend B    backend to test (default: the best Vulkan device, else cpu)\n"
    "  --device D     device index within the backend or a name substring (default: $VKVLM_DEVICE)\n"
    "  --filter TEXT  only cases whose name contains TEXT (e.g. matmul)\n";

int cli_selftest(int argc, char **argv) {
    gpu_backend_kind backend = GPU_BACKEND_DEFAULT;
    const char *device = getenv("VKVLM_DEVICE"), *filter = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(selftest_usage, stdout);
            return 0;
        }
        if (strcmp(a, "--backend") == 0 || strcmp(a, "--device") == 0 || strcmp(a, "--filter") == 0) {
            if (i + 1 >= argc) return cli_usage_error("selftest: %s needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--device") == 0) device = v;
            else if (strcmp(a, "--filter") == 0) filter = v;
            else if (!gpu_backend_parse(v, &backend))
                return cli_usage_error("selftest: --backend %s: expected vulkan, webgpu or cpu", v);
            continue;
        }
        return cli_usage_error("selftest: unknown option '%s' (see vkvlm selftest --help)", a);
    }
    gpu_context_desc desc = {.logger = cli_logger()};
    gpu_context *ctx = NULL;
    vkvlm_error err = {0};
    if (gpu_context_create(&desc, &ctx, &err) != VKVLM_OK) return cli_fail(&err);
    int index = -1, ref_index = -1;
    gpu_device *dev = NULL, *ref = NULL;
    int code = 0;
    if (gpu_context_select(ctx, backend, device, &index, &err) != VKVLM_OK ||
        gpu_context_select(ctx, GPU_BACKEND_CPU, NULL, &ref_index, &err) != VKVLM_OK ||
        gpu_device_create(ctx, index, NULL, &dev, &err) != VKVLM_OK ||
        gpu_device_create(ctx, ref_index, NULL, &ref, &err) != VKVLM_OK) {
        code = cli_fail(&err);
    } else {
        const gpu_device_info *info = gpu_context_device(ctx, index);
        printf("selftest on %s:%d %s against the CPU reference\n", gpu_backend_name(info->backend),
               info->backend_index, info->caps.name);
        int passed = 0, failed = 0;
        for (int i = 0; i < op_check_count(); i++) {
            char name[128];
            op_check_name(i, name, sizeof name);
            if (filter && !strstr(name, filter)) continue;
            op_check_result r = op_check_run(i, dev, ref, 0x5EED);
            if (r.outcome == OP_CHECK_PASS) {
                passed++;
                printf("  ok    %-40s nmse %.2e\n", r.name, r.nmse);
            } else if (r.outcome == OP_CHECK_FAIL) {
                failed++;
                printf("  FAIL  %-40s %s\n", r.name, r.detail);
            } else {
                printf("  skip  %-40s %s\n", r.name, r.detail);
            }
        }
        printf("%d passed, %d failed\n", passed, failed);
        if (gpu_context_validation_messages(ctx)) {
            printf("%llu validation message(s) (see stderr)\n",
                   (unsigned long long)gpu_context_validation_messages(ctx));
            failed++;
        }
        if (failed) code = 1;
    }
    gpu_device_destroy(ref);
    gpu_device_destroy(dev);
    gpu_context_destroy(ctx);
    return code;
}
