/* bench.c — `vkvlm bench --ops`: kernel micro-benchmarks on one device (GFLOP/s, GB/s per op and shape),
 * printed as a table and optionally written as JSON. Model benchmarks (`-m DIR | --shape NAME`, CLI.md)
 * join when the model paths exist; until then this command says so instead of pretending. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "gpu/op_bench.h"

static const char bench_usage[] =
    "usage: vkvlm bench -m DIR [--image FILE] [--reduce SPEC]... [-p TEXT] [-n N] [--repeat R] [--json FILE]\n"
    "       vkvlm bench --ops [--backend vulkan|cpu] [--device N|NAME] [--filter TEXT] [--repeat R] [--json FILE]\n"
    "  -m DIR         model benchmark: the same prompt and image with no reduction, then with each --reduce\n"
    "                 setting, in one run; median vision, prefill and decode times, analytic FLOPs, and how\n"
    "                 much of the FLOPs reduction the measured prefill time realised\n"
    "  --image FILE   the image (default: DIR/sample.png, which vkvlm_make_tiny writes)\n"
    "  -p TEXT        the prompt (default \"Describe this image.\"); -n N new tokens per run (default 1)\n"
    "  --ops          kernel micro-benchmarks: GPU time per op and shape (median of R runs, per-dispatch\n"
    "                 timestamps), GFLOP/s and GB/s from analytic FLOP and byte counts\n"
    "  --backend B    backend (default: the best Vulkan device, else cpu)\n"
    "  --device D     device index within the backend or a name substring (default: $VKVLM_DEVICE)\n"
    "  --filter TEXT  only cases whose name contains TEXT\n"
    "  --repeat R     timed runs per case (default 5)\n"
    "  --json FILE    also write the results as JSON\n"
    "  --limits P     plan and choose kernels under a limit profile (mobile | webgpu | key=value,...)\n"
    "  --shape NAME (in-memory random models) is not available yet: make one with vkvlm_make_tiny --shape.\n"
    "  On lavapipe only ratios within one run mean anything; validation (VKVLM_VALIDATE=1) slows it 1.5-2x.\n";

/* Both JSON files carry "kind" and "schema" so that `vkvlm report` can tell them apart and refuse a layout it
 * does not know; bump the schema when a field changes meaning (adding fields does not). */
#define BENCH_JSON_SCHEMA 1

static cJSON *json_root(const char *kind) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "kind", kind);
    cJSON_AddNumberToObject(root, "schema", BENCH_JSON_SCHEMA);
    return root;
}

static void json_add_date(cJSON *root) {
    char date[32];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    cJSON_AddStringToObject(root, "date", date);
}

static int write_json(const char *path, const gpu_caps *caps, const op_bench_result *results, int count) {
    cJSON *root = json_root("ops");
    cJSON *device = cJSON_AddObjectToObject(root, "device");
    cJSON_AddStringToObject(device, "backend", gpu_backend_name(caps->backend));
    cJSON_AddStringToObject(device, "name", caps->name);
    cJSON_AddStringToObject(device, "vendor", gpu_vendor_name(caps->vendor_id));
    cJSON_AddStringToObject(device, "driver", caps->driver_name);
    cJSON_AddStringToObject(device, "driver_info", caps->driver_info);
    json_add_date(root);
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

/* ---------------------------------------------------------------- bench -m DIR */

typedef struct model_row {
    const char *setting;
    double vision, prefill, decode_tps;  /* medians */
    double prefill_min, prefill_max;     /* the spread of the runs, so a report can show how noisy they were */
    double flops_llm, flops_total;
    int prompt_tokens, kept;
} model_row;

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, by_value);
    return v[n / 2];
}

static int bench_model(const char *model, const char *image, const char *prompt, const char **reduce, int reduce_count,
                       long n, long repeat, long ctx, const char *backend, const char *device, const char *json) {
    char sample[4096];
    if (!image) {
        snprintf(sample, sizeof sample, "%s/sample.png", model);
        image = sample;
    }
    vkvlm_session_desc sd = {.model_dir = model, .backend = backend, .device = device, .context_length = (unsigned)ctx,
                             .logger = cli_logger()};
    vkvlm_session *s = NULL;
    vkvlm_error err = {0};
    if (vkvlm_session_create(&sd, &s, &err) != VKVLM_OK) return cli_fail(&err);
    vkvlm_session_info info;
    vkvlm_session_info_get(s, &info);
    int settings = reduce_count + 1, code = 0;
    model_row *rows = calloc((size_t)settings, sizeof *rows);
    double *vision = calloc((size_t)repeat, sizeof *vision), *prefill = calloc((size_t)repeat, sizeof *prefill),
           *tps = calloc((size_t)repeat, sizeof *tps);
    if (!rows || !vision || !prefill || !tps) {
        fprintf(stderr, "vkvlm: error: out of memory\n");
        code = 1;
    }
    printf("bench -m %s on %s (%s), %ld run%s per setting after a warm-up, -n %ld\n", model, info.device_name,
           info.driver, repeat, repeat == 1 ? "" : "s", n);
    for (int k = 0; k < settings && code == 0; k++) {
        const char *spec = k == 0 ? "none" : reduce[k - 1];
        const char *images[] = {image}, *specs[] = {spec};
        vkvlm_generate_desc g = {.prompt = prompt, .images = images, .image_count = 1, .max_new_tokens = (int)n,
                                 .ignore_eos = 1, .reduce = specs, .reduce_count = 1};
        model_row *row = &rows[k];
        row->setting = spec;
        for (long r = -1; r < repeat && code == 0; r++) { /* r = -1: the warm-up (pipelines, caches) */
            vkvlm_result res;
            if (vkvlm_session_generate(s, &g, &res, &err) != VKVLM_OK) {
                code = cli_fail(&err);
                break;
            }
            if (r >= 0) {
                vision[r] = res.timings_ms.vision;
                prefill[r] = res.timings_ms.prefill;
                tps[r] = res.decode_tokens_per_s;
            }
            row->flops_llm = res.flops_llm_actual;
            row->flops_total = res.flops_actual;
            row->prompt_tokens = res.prompt_count;
            /* rows the LLM keeps: FastV and FiCoCo-L report them; FiCoCo-V already shortened the prompt itself, and
             * ProxyV keeps every row (its kept_count counts proxies) */
            bool reports_rows = res.reduction_count && res.reductions[0].kept_count &&
                                strcmp(res.reductions[0].method, "proxyv") != 0;
            row->kept = reports_rows ? res.reductions[0].kept_count : res.prompt_count;
            vkvlm_result_free(&res);
        }
        if (code) break;
        row->vision = median(vision, (int)repeat);
        row->prefill = median(prefill, (int)repeat);
        row->prefill_min = prefill[0]; /* median() sorted it */
        row->prefill_max = prefill[repeat - 1];
        row->decode_tps = median(tps, (int)repeat);
    }
    if (code == 0) {
        printf("%-24s %8s %10s %11s %9s %10s %10s %9s\n", "setting", "tokens", "vision ms", "prefill ms", "time",
               "LLM FLOPs", "realised", "decode/s");
        for (int k = 0; k < settings; k++) {
            const model_row *r = &rows[k];
            double t = r->prefill / rows[0].prefill, f = r->flops_llm / rows[0].flops_llm;
            char realised[32] = "-";
            /* the share of the analytic FLOPs reduction that the measured prefill time realised */
            if (k > 0 && f < 1) snprintf(realised, sizeof realised, "%.0f%%", 100.0 * (1 - t) / (1 - f));
            printf("%-24s %4d->%-4d %9.1f %11.1f %8.2fx %9.2fx %10s %9.2f\n", r->setting, r->prompt_tokens, r->kept,
                   r->vision, r->prefill, t, f, realised, r->decode_tps);
        }
    }
    if (code == 0 && json) {
        cJSON *root = json_root("model");
        cJSON_AddStringToObject(root, "model", model);
        cJSON_AddStringToObject(root, "model_type", info.model_type ? info.model_type : "");
        json_add_date(root);
        cJSON *dev = cJSON_AddObjectToObject(root, "device");
        cJSON_AddStringToObject(dev, "name", info.device_name);
        cJSON_AddStringToObject(dev, "backend", info.backend);
        cJSON_AddStringToObject(dev, "driver", info.driver);
        cJSON_AddNumberToObject(root, "repeat", (double)repeat);
        cJSON_AddNumberToObject(root, "new_tokens", (double)n);
        cJSON *list = cJSON_AddArrayToObject(root, "settings");
        for (int k = 0; k < settings; k++) {
            const model_row *r = &rows[k];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "reduce", r->setting);
            cJSON_AddNumberToObject(o, "prompt_tokens", r->prompt_tokens);
            cJSON_AddNumberToObject(o, "kept_tokens", r->kept);
            cJSON_AddNumberToObject(o, "vision_ms", r->vision);
            cJSON_AddNumberToObject(o, "prefill_ms", r->prefill);
            cJSON_AddNumberToObject(o, "prefill_ms_min", r->prefill_min);
            cJSON_AddNumberToObject(o, "prefill_ms_max", r->prefill_max);
            cJSON_AddNumberToObject(o, "decode_tokens_per_s", r->decode_tps);
            cJSON_AddNumberToObject(o, "flops_llm", r->flops_llm);
            cJSON_AddNumberToObject(o, "flops_total", r->flops_total);
            cJSON_AddItemToArray(list, o);
        }
        char *text = cJSON_Print(root);
        FILE *f = fopen(json, "w");
        int ok = f && text && fputs(text, f) >= 0;
        if (f) ok = (fclose(f) == 0) && ok;
        free(text);
        cJSON_Delete(root);
        if (!ok) {
            fprintf(stderr, "vkvlm: error: %s: cannot write the benchmark JSON\n", json);
            code = 1;
        }
    }
    free(rows);
    free(vision);
    free(prefill);
    free(tps);
    vkvlm_session_destroy(s);
    return code;
}

int cli_bench(int argc, char **argv) {
    gpu_backend_kind backend = GPU_BACKEND_DEFAULT;
    const char *device = getenv("VKVLM_DEVICE"), *filter = NULL, *json = NULL;
    int repeat = 0, ops = 0;
    const char *model = NULL, *image = NULL, *prompt = "Describe this image.";
    const char *reduce[8];
    int reduce_count = 0;
    long n = 1, ctx_tokens = 0;
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
                          strcmp(a, "--repeat") == 0 || strcmp(a, "--json") == 0 || strcmp(a, "-m") == 0 ||
                          strcmp(a, "--image") == 0 || strcmp(a, "--reduce") == 0 || strcmp(a, "-p") == 0 ||
                          strcmp(a, "-n") == 0 || strcmp(a, "--ctx") == 0 || strcmp(a, "--limits") == 0;
        if (takes_value) {
            if (i + 1 >= argc) return cli_usage_error("bench: %s needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "-m") == 0) model = v;
            else if (strcmp(a, "--limits") == 0) setenv("VKVLM_LIMITS", v, 1); /* read by the GPU context */
            else if (strcmp(a, "--image") == 0) image = v;
            else if (strcmp(a, "-p") == 0) prompt = v;
            else if (strcmp(a, "-n") == 0) {
                if (!cli_int(a, v, 1, 4096, &n)) return 2;
            } else if (strcmp(a, "--ctx") == 0) {
                if (!cli_int(a, v, 1, 1 << 24, &ctx_tokens)) return 2;
            } else if (strcmp(a, "--reduce") == 0) {
                if (strcmp(v, "none") == 0) continue; /* always measured first */
                if (reduce_count == 8) return cli_usage_error("bench: --reduce given more than 8 times");
                reduce[reduce_count++] = v;
            } else if (strcmp(a, "--device") == 0) device = v;
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
        if (strcmp(a, "--shape") == 0)
            return cli_usage_error("bench: --shape: in-memory random models are not available yet; write one with "
                                   "vkvlm_make_tiny --shape and use -m DIR");
        return cli_usage_error("bench: unknown option '%s' (see vkvlm bench --help)", a);
    }
    if (ops && model) return cli_usage_error("bench: give --ops or -m DIR, not both");
    if (model) {
        const char *backend_name = backend == GPU_BACKEND_DEFAULT ? NULL : gpu_backend_name(backend);
        return bench_model(model, image, prompt, reduce, reduce_count, n, repeat ? repeat : 3, ctx_tokens, backend_name,
                           device, json);
    }
    if (!ops) return cli_usage_error("bench: nothing to run; use -m DIR or --ops (see vkvlm bench --help)");
    if (!repeat) repeat = 5;

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
