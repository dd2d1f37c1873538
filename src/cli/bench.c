/* bench.c — `vkvlm bench --ops`: kernel micro-benchmarks on one device (GFLOP/s, GB/s per op and shape),
 * printed as a table and optionally written as JSON. Model benchmarks (`-m DIR | --shape NAME`, CLI.md)
 * join when the model paths exist; until then this command says so instead of pretending. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "gpu/op_bench.h"

static const char bench_usage[] =
    "usage: vkvlm bench --ops [--backend vulkan|cpu] [--device N|NAME] [--filter TEXT] [--repeat R] [--json FILE]\n"
    "  --ops          kernel micro-benchmarks: GPU time per op and shape (median of R runs, per-dispatch\n"
    "                 timestamps), GFLOP/s and GB/s from analytic FLOP and byte counts\n"
    "  --backend B    backend (default: the best Vulkan device, else cpu)\n"
    "  --device D     device index within the backend or a name substring (default: $VKVLM_DEVICE)\n"
    "  --filter TEXT  only cases whose name contains TEXT\n"
    "  --repeat R     timed runs per case (default 5)\n"
    "  --json FILE    also write the results as JSON\n"
    "  Model benchmarks (-m DIR | --shape NAME) are not available yet: they need the model paths.\n"
    "  On lavapipe only ratios within one run mean anything; validation (VKVLM_VALIDATE=1) slows it 1.5-2x.\n";

static int write_json(const char *path, const gpu_caps *caps, const op_bench_result *results, int count) {
    cJSON *root = cJSON_CreateObject();
    cJSON *device = cJSON_AddObjectToObject(root, "device");
    cJSON_AddStringToObject(device, "backend", gpu_backend_name(caps->backend));
    cJSON_AddStringToObject(device, "name", caps->name);
    cJSON_AddStringToObject(device, "vendor", gpu_vendor_name(caps->vendor_id));
    cJSON_AddStringToObject(device, "driver", caps->driver_name);
    cJSON_AddStringToObject(device, "driver_info", caps->driver_info);
    char date[32];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    cJSON_AddStringToObject(root, "date", date);
    cJSON *ops = cJSON_AddArrayToObject(root, "ops");
    for (int i = 0; i < count; i++) {
        const op_bench_result *r = &results[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", r->name);
        cJSON_AddStringToObject(o, "kernel", r->kernel ? r->kernel : "");
        cJSON_AddNumberToObject(o, "runs", r->runs);
        cJSON_AddNumberToObject(o, "ms_median", r->ms_median);
        cJSON_AddNumberToObject(o, "ms_min", r->ms_min);
        cJSON_AddNumberToObject(o, "flops", r->flops);
        cJSON_AddNumberToObject(o, "bytes", r->bytes);
        cJSON_AddNumberToObject(o, "gflops", r->gflops);
        cJSON_AddNumberToObject(o, "gbps", r->gbps);
        cJSON_AddItemToArray(ops, o);
    }
    char *text = cJSON_Print(root);
    FILE *f = fopen(path, "w");
    int ok = f && text && fputs(text, f) >= 0;
    if (f) ok = (fclose(f) == 0) && ok;
    free(text);
    cJSON_Delete(root);
    if (!ok) fprintf(stderr, "vkvlm: error: %s: cannot write the benchmark JSON\n", path);
    return ok;
}

int cli_bench(int argc, char **argv) {
    gpu_backend_kind backend = GPU_BACKEND_DEFAULT;
    const char *device = getenv("VKVLM_DEVICE"), *filter = NULL, *json = NULL;
    int repeat = 5, ops = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(bench_usage, stdout);
            return 0;
        }
        if (strcmp(a, "--ops") == 0) {
            ops = 1;
            continue;
        }
        int takes_value = strcmp(a, "--backend") == 0 || strcmp(a, "--device") == 0 || strcmp(a, "--filter") == 0 ||
                          strcmp(a, "--repeat") == 0 || strcmp(a, "--json") == 0;
        if (takes_value) {
            if (i + 1 >= argc) return cli_usage_error("bench: %s needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--device") == 0) device = v;
            else if (strcmp(a, "--filter") == 0) filter = v;
            else if (strcmp(a, "--json") == 0) json = v;
            else if (strcmp(a, "--repeat") == 0) {
                char *end;
                long r = strtol(v, &end, 10);
                if (*end || r < 1 || r > 1000) return cli_usage_error("bench: --repeat %s: expected 1..1000", v);
                repeat = (int)r;
            } else if (!gpu_backend_parse(v, &backend))
                return cli_usage_error("bench: --backend %s: expected vulkan, webgpu or cpu", v);
            continue;
        }
        if (strcmp(a, "-m") == 0 || strcmp(a, "--shape") == 0)
            return cli_usage_error("bench: %s: model benchmarks are not available yet (they need the model paths); "
                                   "use --ops for kernel benchmarks", a);
        return cli_usage_error("bench: unknown option '%s' (see vkvlm bench --help)", a);
    }
    if (!ops) return cli_usage_error("bench: nothing to run; use --ops (see vkvlm bench --help)");

    gpu_context_desc desc = {.logger = cli_logger()};
    gpu_context *ctx = NULL;
    vkvlm_error err = {0};
    if (gpu_context_create(&desc, &ctx, &err) != VKVLM_OK) return cli_fail(&err);
    int index = -1, code = 0;
    gpu_device *dev = NULL;
    op_bench_result *results = calloc((size_t)op_bench_count(), sizeof *results);
    if (!results) {
        gpu_context_destroy(ctx);
        fprintf(stderr, "vkvlm: error: out of memory\n");
        return 1;
    }
    if (gpu_context_select(ctx, backend, device, &index, &err) != VKVLM_OK ||
        gpu_device_create(ctx, index, NULL, &dev, &err) != VKVLM_OK) {
        code = cli_fail(&err);
    } else {
        const gpu_caps *caps = gpu_device_caps(dev);
        printf("bench --ops on %s (%s %s), %d runs each%s\n", caps->name, caps->driver_name, caps->driver_info, repeat,
               gpu_context_validation_enabled(ctx) ? ", VALIDATION ON (slower)" : "");
        printf("%-44s %-22s %10s %10s %10s\n", "op", "kernel", "ms", "GFLOP/s", "GB/s");
        int count = 0;
        for (int i = 0; i < op_bench_count(); i++) {
            char name[128];
            op_bench_name(i, name, sizeof name);
            if (filter && !strstr(name, filter)) continue;
            fprintf(stderr, "bench: %s ...\r", name);
            op_bench_result *r = &results[count];
            if (op_bench_run(i, dev, repeat, r, &err) != VKVLM_OK) {
                code = cli_fail(&err);
                break;
            }
            printf("%-44s %-22s %10.3f %10.2f %10.2f\n", r->name, r->kernel ? r->kernel : "", r->ms_median, r->gflops,
                   r->gbps);
            count++;
        }
        if (code == 0 && json && !write_json(json, caps, results, count)) code = 1;
    }
    free(results);
    gpu_device_destroy(dev);
    gpu_context_destroy(ctx);
    return code;
}
