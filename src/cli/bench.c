/* bench.c — `vkvlm bench`: the command line, and `--ops`, kernel micro-benchmarks on one device (GFLOP/s, GB/s
 * per op and shape) printed as a table and optionally written as JSON. The model benchmark (`-m DIR` or
 * `--shape NAME`) is bench_model.c. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/bench.h"
#include "cli/cli.h"
#include "gpu/op_bench.h"
#include "models/synth_model.h"

static const char bench_usage[] =
    "usage: vkvlm bench (-m DIR | --shape NAME) [--image FILE | --no-image | --prompt-tokens N] [-p TEXT] [-n N]\n"
    "                   [--reduce SPEC]... [--quant q8_0|q4_0] [--repeat R] [--json FILE] [--top K]\n"
    "       vkvlm bench --ops [--backend vulkan|cpu] [--device N|NAME] [--filter TEXT] [--repeat R] [--json FILE]\n"
    "  -m DIR            model benchmark: the same input with no reduction, then with each --reduce setting, in\n"
    "                    one run; per setting the median and min-max of R runs after a warm-up: preprocess,\n"
    "                    vision encode, prefill, time to first token, prefill and decode tokens/s, dispatches\n"
    "                    per decoded token, GPU time per kernel, analytic FLOPs and the share of the FLOPs\n"
    "                    reduction the measured prefill time realised, peak device memory\n"
    "  --shape NAME      the same on a random-weight model of a family's real dimensions, written to a\n"
    "                    temporary directory in memory (tmpfs: /dev/shm, else $TMPDIR) and removed after:\n"
    "%s"
    "  --text-layers N, --vision-layers N   layer counts for --shape (default: the shape's; llava-1.5-7b: 4, 24)\n"
    "  --image FILE      the image (default: DIR/sample.png, which vkvlm_make_tiny and --shape write)\n"
    "  --no-image        text only (the default for smollm2-135m)\n"
    "  --prompt-tokens N a text-only prompt of exactly N token ids (no tokenizer, no template): prefill of N\n"
    "  -p TEXT           the prompt (default \"Describe this image.\"); -n N new tokens per run (default 1)\n"
    "  --quant Q         q8_0 | q4_0 | none: quantize the decoder's linear weights on load (-m DIR keeps them\n"
    "                    in vkvlm run's --quant-cache default; --shape quantizes every time)\n"
    "  --top K           kernels listed per stage (default 8; the JSON has all)\n"
    "  --ops             kernel micro-benchmarks: GPU time per op and shape (median of R runs, per-dispatch\n"
    "                    timestamps), GFLOP/s and GB/s from analytic FLOP and byte counts\n"
    "  --backend B       backend (default: the best Vulkan device, else cpu)\n"
    "  --device D        device index within the backend or a name substring (default: $VKVLM_DEVICE)\n"
    "  --filter TEXT     (--ops) only cases whose name contains TEXT\n"
    "  --repeat R        timed runs per setting or case (default: 3 for models, 5 for --ops)\n"
    "  --ctx N           KV cache tokens (default: from the model, at most 2048)\n"
    "  --json FILE       also write the results as JSON (`vkvlm report` reads them; the web page's Benchmark\n"
    "                    button and engine.benchmark() write the same file, docs/web.md); GPU times are null\n"
    "                    on a device without timestamps\n"
    "  --limits P        plan and choose kernels under a limit profile (mobile | webgpu | key=value,...)\n"
    "  Progress goes to stderr. On lavapipe only ratios within one run mean anything; validation\n"
    "  (VKVLM_VALIDATE=1) slows it 1.5-2x.\n";

int bench_json_write(const char *path, cJSON *root) {
    char *text = cJSON_Print(root);
    FILE *f = fopen(path, "w");
    int ok = f && text && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f) ok = (fclose(f) == 0) && ok;
    free(text);
    cJSON_Delete(root);
    if (!ok) fprintf(stderr, "vkvlm: error: %s: cannot write the benchmark JSON\n", path);
    return ok;
}

static void print_usage(FILE *f) {
    char shapes[4096] = "";
    int count;
    const synth_shape *list = synth_model_shapes(&count);
    size_t used = 0;
    for (int i = 0; i < count && used < sizeof shapes; i++)
        used += (size_t)snprintf(shapes + used, sizeof shapes - used, "                      %-15s %s\n", list[i].name,
                                 list[i].about);
    fprintf(f, bench_usage, shapes);
}

static int write_json(const char *path, const gpu_caps *caps, const op_bench_result *results, int count) {
    cJSON *root = bench_json_root("ops");
    cJSON *device = cJSON_AddObjectToObject(root, "device");
    cJSON_AddStringToObject(device, "backend", gpu_backend_name(caps->backend));
    cJSON_AddStringToObject(device, "name", caps->name);
    cJSON_AddStringToObject(device, "vendor", gpu_vendor_name(caps->vendor_id));
    cJSON_AddStringToObject(device, "driver", caps->driver_name);
    cJSON_AddStringToObject(device, "driver_info", caps->driver_info);
    bench_json_add_date(root);
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
    return bench_json_write(path, root);
}

int cli_bench(int argc, char **argv) {
    gpu_backend_kind backend = GPU_BACKEND_DEFAULT;
    const char *device = getenv("VKVLM_DEVICE"), *filter = NULL;
    const char *reduce[8];
    bench_model_opts mo = {.prompt = "Describe this image.", .n = 1, .reduce = reduce, .top = 8};
    int repeat = 0, ops = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_usage(stdout);
            return 0;
        }
        if (strcmp(a, "--ops") == 0) {
            ops = 1;
            continue;
        }
        if (strcmp(a, "--no-image") == 0) {
            mo.text_only = true;
            continue;
        }
        static const char *const valued[] = {"--backend", "--device", "--filter", "--repeat", "--json", "-m",
                                             "--image", "--reduce", "-p", "-n", "--ctx", "--limits", "--shape",
                                             "--text-layers", "--vision-layers", "--prompt-tokens", "--quant", "--top"};
        bool takes_value = false;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) takes_value |= strcmp(a, valued[k]) == 0;
        if (!takes_value) return cli_usage_error("bench: unknown option '%s' (see vkvlm bench --help)", a);
        if (i + 1 >= argc) return cli_usage_error("bench: %s needs a value", a);
        const char *v = argv[++i];
        long x = 0;
        if (strcmp(a, "-m") == 0) mo.model = v;
        else if (strcmp(a, "--shape") == 0) {
            if (!synth_model_shape_find(v))
                return cli_usage_error("bench: --shape %s: unknown shape (see vkvlm bench --help for the list)", v);
            mo.shape = v;
        } else if (strcmp(a, "--limits") == 0) setenv("VKVLM_LIMITS", v, 1); /* read by the GPU context */
        else if (strcmp(a, "--image") == 0) mo.image = v;
        else if (strcmp(a, "-p") == 0) mo.prompt = v;
        else if (strcmp(a, "--quant") == 0) {
            if (strcmp(v, "none") && strcmp(v, "q8_0") && strcmp(v, "q4_0"))
                return cli_usage_error("bench: --quant %s: expected q8_0, q4_0 or none", v);
            mo.quant = strcmp(v, "none") ? v : NULL;
        } else if (strcmp(a, "-n") == 0) {
            if (!cli_int(a, v, 1, 4096, &mo.n)) return 2;
        } else if (strcmp(a, "--ctx") == 0) {
            if (!cli_int(a, v, 1, 1 << 24, &mo.ctx)) return 2;
        } else if (strcmp(a, "--text-layers") == 0 || strcmp(a, "--vision-layers") == 0) {
            if (!cli_int(a, v, 1, 1024, &x)) return 2;
            *(a[2] == 't' ? &mo.text_layers : &mo.vision_layers) = (int)x;
        } else if (strcmp(a, "--prompt-tokens") == 0) {
            if (!cli_int(a, v, 1, 1 << 20, &x)) return 2;
            mo.prompt_tokens = (int)x;
        } else if (strcmp(a, "--top") == 0) {
            if (!cli_int(a, v, 0, 1000, &x)) return 2;
            mo.top = (int)x;
        } else if (strcmp(a, "--reduce") == 0) {
            if (strcmp(v, "none") == 0) continue; /* always measured first */
            if (mo.reduce_count == 8) return cli_usage_error("bench: --reduce given more than 8 times");
            reduce[mo.reduce_count++] = v;
        } else if (strcmp(a, "--device") == 0) device = v;
        else if (strcmp(a, "--filter") == 0) filter = v;
        else if (strcmp(a, "--json") == 0) mo.json = v;
        else if (strcmp(a, "--repeat") == 0) {
            if (!cli_int(a, v, 1, 1000, &x)) return 2;
            repeat = (int)x;
        } else if (!gpu_backend_parse(v, &backend))
            return cli_usage_error("bench: --backend %s: expected vulkan, webgpu or cpu", v);
    }
    bool model_run = mo.model || mo.shape;
    if (mo.model && mo.shape) return cli_usage_error("bench: give -m DIR or --shape NAME, not both");
    if (ops && model_run) return cli_usage_error("bench: give --ops or a model (-m DIR | --shape NAME), not both");
    if ((mo.text_layers || mo.vision_layers) && !mo.shape)
        return cli_usage_error("bench: --text-layers and --vision-layers shape a --shape model");
    if (mo.image && (mo.text_only || mo.prompt_tokens))
        return cli_usage_error("bench: --image and --no-image / --prompt-tokens exclude each other");
    if (model_run) {
        if (mo.prompt_tokens) mo.text_only = true;
        if (mo.shape && strcmp(mo.shape, "smollm2-135m") == 0 && !mo.image) mo.text_only = true; /* a text model */
        if (mo.shape && strcmp(mo.shape, "llava-1.5-7b") == 0) { /* 14 GB at full depth: a few layers by default */
            if (!mo.text_layers) mo.text_layers = 4;
            if (!mo.vision_layers) mo.vision_layers = 24;
        }
        mo.repeat = repeat ? repeat : 3;
        mo.backend = backend == GPU_BACKEND_DEFAULT ? NULL : gpu_backend_name(backend);
        mo.device = device;
        return bench_model(&mo);
    }
    if (!ops) return cli_usage_error("bench: nothing to run; use -m DIR, --shape NAME or --ops (see vkvlm bench --help)");
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
        if (code == 0 && mo.json && !write_json(mo.json, caps, results, count)) code = 1;
    }
    free(results);
    gpu_device_destroy(dev);
    gpu_context_destroy(ctx);
    return code;
}
