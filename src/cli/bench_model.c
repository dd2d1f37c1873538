/* bench_model.c — `vkvlm bench -m DIR | --shape NAME`: one model, the same input with no reduction and then with
 * each --reduce setting, in one run; a warm-up and R timed runs per setting, medians with min/max. Per setting:
 * preprocess, vision encode, prefill and time to first token, prefill and decode tokens/s, GPU dispatches per
 * stage (and per decoded token), per-kernel GPU time, analytic FLOPs and achieved GFLOP/s, peak device memory.
 * --shape writes a random-weight model of a family's real dimensions (models/synth_model.h) to a temporary
 * directory on tmpfs (/dev/shm when it is there) and removes it afterwards. Progress goes to stderr, the
 * table to stdout, JSON to --json. */
#define _XOPEN_SOURCE 700
#include <cjson/cJSON.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/bench.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "engine/session_internal.h"
#include "models/synth_model.h"

/* ---------------------------------------------------------------- the shape's directory */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* A fresh directory on tmpfs (RAM): /dev/shm, else $TMPDIR, else /tmp. */
static int make_shape_dir(char *out, size_t cap) {
    const char *bases[] = {"/dev/shm", getenv("TMPDIR"), "/tmp"};
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        if (!bases[i] || access(bases[i], W_OK) != 0) continue;
        snprintf(out, cap, "%s/vkvlm-bench-XXXXXX", bases[i]);
        if (mkdtemp(out)) return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- statistics */

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct spread {
    double median, min, max;
} spread;

/* Sorts v in place. */
static spread spread_of(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, by_value);
    return (spread){v[n / 2], v[0], v[n - 1]};
}

enum { METRIC_PREPROCESS, METRIC_VISION, METRIC_PREFILL, METRIC_TTFT, METRIC_DECODE, METRIC_PREFILL_TPS,
       METRIC_DECODE_TPS, METRIC_GPU_VISION, METRIC_GPU_PREFILL, METRIC_GPU_DECODE, METRIC_COUNT };
static const char *const metric_names[METRIC_COUNT] = {
    "preprocess_ms", "vision_ms", "prefill_ms", "ttft_ms", "decode_ms", "prefill_tokens_per_s",
    "decode_tokens_per_s", "gpu_vision_ms", "gpu_prefill_ms", "gpu_decode_ms"};

/* One setting's runs. */
typedef struct setting_row {
    const char *setting;
    double *runs[METRIC_COUNT]; /* [repeat] each */
    spread m[METRIC_COUNT];
    vkvlm_stage_work vision, prefill, decode; /* of the last run (the same every run) */
    int decode_steps;                         /* decode submits of the last run */
    vkvlm_kernel_stat *kernels;               /* summed over the timed runs, most time first */
    int kernel_count;
    double flops_vision, flops_prefill, flops_llm, flops_total, flops_llm_baseline;
    int prompt_tokens, kept, new_tokens;
} setting_row;

/* Adds one run's kernel stats into the row's sums (same stage and name). */
static int add_kernels(setting_row *row, const vkvlm_result *res) {
    for (int i = 0; i < res->kernel_count; i++) {
        const vkvlm_kernel_stat *k = &res->kernels[i];
        int j = 0;
        while (j < row->kernel_count && !(row->kernels[j].stage == k->stage && strcmp(row->kernels[j].name, k->name) == 0))
            j++;
        if (j == row->kernel_count) {
            vkvlm_kernel_stat *grown = realloc(row->kernels, (size_t)(row->kernel_count + 1) * sizeof *grown);
            if (!grown) return 0;
            row->kernels = grown;
            row->kernels[row->kernel_count++] = (vkvlm_kernel_stat){.name = k->name, .stage = k->stage};
        }
        row->kernels[j].dispatches += k->dispatches;
        row->kernels[j].gpu_ms += k->gpu_ms;
    }
    return 1;
}

static int by_gpu_time(const void *a, const void *b) {
    const vkvlm_kernel_stat *x = a, *y = b;
    return (x->gpu_ms < y->gpu_ms) - (x->gpu_ms > y->gpu_ms);
}

static double per_step(int count, int steps) { return steps > 0 ? (double)count / steps : 0; }

/* ---------------------------------------------------------------- JSON */

static cJSON *spread_json(spread s) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "median", s.median);
    cJSON_AddNumberToObject(o, "min", s.min);
    cJSON_AddNumberToObject(o, "max", s.max);
    return o;
}

static cJSON *work_json(const vkvlm_stage_work *w) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "submits", w->submits);
    cJSON_AddNumberToObject(o, "dispatches", w->dispatches);
    cJSON_AddNumberToObject(o, "copies", w->copies);
    cJSON_AddNumberToObject(o, "barriers", w->barriers);
    return o;
}

static cJSON *row_json(const setting_row *r, long repeat) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "reduce", r->setting);
    cJSON_AddNumberToObject(o, "prompt_tokens", r->prompt_tokens);
    cJSON_AddNumberToObject(o, "kept_tokens", r->kept);
    cJSON_AddNumberToObject(o, "new_tokens", r->new_tokens);
    /* the flat medians older readers (and report.c) use, then every metric with its spread */
    cJSON_AddNumberToObject(o, "vision_ms", r->m[METRIC_VISION].median);
    cJSON_AddNumberToObject(o, "prefill_ms", r->m[METRIC_PREFILL].median);
    cJSON_AddNumberToObject(o, "prefill_ms_min", r->m[METRIC_PREFILL].min);
    cJSON_AddNumberToObject(o, "prefill_ms_max", r->m[METRIC_PREFILL].max);
    cJSON_AddNumberToObject(o, "ttft_ms", r->m[METRIC_TTFT].median);
    cJSON_AddNumberToObject(o, "prefill_tokens_per_s", r->m[METRIC_PREFILL_TPS].median);
    cJSON_AddNumberToObject(o, "decode_tokens_per_s", r->m[METRIC_DECODE_TPS].median);
    cJSON *metrics = cJSON_AddObjectToObject(o, "metrics");
    for (int m = 0; m < METRIC_COUNT; m++) cJSON_AddItemToObject(metrics, metric_names[m], spread_json(r->m[m]));
    cJSON *work = cJSON_AddObjectToObject(o, "work");
    cJSON_AddItemToObject(work, "vision", work_json(&r->vision));
    cJSON_AddItemToObject(work, "prefill", work_json(&r->prefill));
    cJSON_AddItemToObject(work, "decode", work_json(&r->decode));
    cJSON_AddNumberToObject(o, "dispatches_per_decoded_token", per_step(r->decode.dispatches, r->decode_steps));
    cJSON_AddNumberToObject(o, "flops_vision", r->flops_vision);
    cJSON_AddNumberToObject(o, "flops_prefill", r->flops_prefill);
    cJSON_AddNumberToObject(o, "flops_llm", r->flops_llm);
    cJSON_AddNumberToObject(o, "flops_llm_baseline", r->flops_llm_baseline);
    cJSON_AddNumberToObject(o, "flops_total", r->flops_total);
    double v = r->m[METRIC_VISION].median, p = r->m[METRIC_PREFILL].median;
    cJSON_AddNumberToObject(o, "vision_gflops_per_s", v > 0 ? r->flops_vision / v / 1e6 : 0);
    cJSON_AddNumberToObject(o, "prefill_gflops_per_s", p > 0 ? r->flops_prefill / p / 1e6 : 0);
    cJSON *kernels = cJSON_AddArrayToObject(o, "kernels"); /* mean per timed run */
    for (int i = 0; i < r->kernel_count; i++) {
        cJSON *k = cJSON_CreateObject();
        cJSON_AddStringToObject(k, "stage", r->kernels[i].stage);
        cJSON_AddStringToObject(k, "name", r->kernels[i].name);
        cJSON_AddNumberToObject(k, "dispatches", r->kernels[i].dispatches / (double)repeat);
        cJSON_AddNumberToObject(k, "gpu_ms", r->kernels[i].gpu_ms / (double)repeat);
        cJSON_AddItemToArray(kernels, k);
    }
    return o;
}

static int write_model_json(const bench_model_opts *o, const char *model, vkvlm_session *s, const setting_row *rows,
                            int settings) {
    vkvlm_session_info info;
    vkvlm_session_info_get(s, &info);
    gpu_device_info dev;
    const char *limits;
    vkvlm_session_device_info(s, &dev, &limits);
    cJSON *root = bench_json_root("model");
    cJSON_AddStringToObject(root, "model", o->shape ? o->shape : model);
    cJSON_AddStringToObject(root, "source", o->shape ? "shape" : "directory");
    cJSON_AddStringToObject(root, "model_type", info.model_type ? info.model_type : "");
    cJSON_AddStringToObject(root, "quant", o->quant ? o->quant : "none");
    bench_json_add_date(root);
    cJSON *device = cli_device_json(&dev, limits ? limits : "");
    /* the combined driver string the table prints; devices --json's own fields stay beside it */
    cJSON_AddStringToObject(device, "driver_full", info.driver);
    cJSON_AddItemToObject(root, "device", device);
    cJSON *mem = cJSON_AddObjectToObject(root, "memory");
    cJSON_AddNumberToObject(mem, "weight_bytes", (double)info.weight_bytes);
    cJSON_AddNumberToObject(mem, "planned_bytes", (double)info.planned_bytes);
    cJSON_AddNumberToObject(mem, "peak_bytes", (double)info.peak_bytes);
    cJSON_AddNumberToObject(root, "repeat", (double)o->repeat);
    cJSON_AddNumberToObject(root, "new_tokens", (double)o->n);
    cJSON_AddNumberToObject(root, "prompt_tokens_requested", o->prompt_tokens);
    cJSON_AddBoolToObject(root, "image", !o->text_only);
    cJSON *list = cJSON_AddArrayToObject(root, "settings");
    for (int k = 0; k < settings; k++) cJSON_AddItemToArray(list, row_json(&rows[k], o->repeat));
    return bench_json_write(o->json, root);
}

/* ---------------------------------------------------------------- the table */

static void print_rows(const setting_row *rows, int settings) {
    printf("%-22s %11s %9s %11s %9s %9s %9s %9s %8s %8s %9s\n", "setting", "tokens", "vision", "prefill", "spread",
           "TTFT", "prefill/s", "decode/s", "disp/tok", "FLOPs", "realised");
    for (int k = 0; k < settings; k++) {
        const setting_row *r = &rows[k];
        double t = r->m[METRIC_PREFILL].median / rows[0].m[METRIC_PREFILL].median, f = r->flops_llm / rows[0].flops_llm;
        char realised[32] = "-", tokens[32], spread_text[32];
        /* the share of the analytic FLOPs reduction that the measured prefill time realised */
        if (k > 0 && f < 1) snprintf(realised, sizeof realised, "%.0f%%", 100.0 * (1 - t) / (1 - f));
        snprintf(tokens, sizeof tokens, "%d->%d", r->prompt_tokens, r->kept);
        snprintf(spread_text, sizeof spread_text, "%.0f-%.0f", r->m[METRIC_PREFILL].min, r->m[METRIC_PREFILL].max);
        printf("%-22s %11s %7.0fms %9.0fms %9s %7.0fms %9.2f %9.2f %8.1f %7.2fx %9s\n", r->setting, tokens,
               r->m[METRIC_VISION].median, r->m[METRIC_PREFILL].median, spread_text, r->m[METRIC_TTFT].median,
               r->m[METRIC_PREFILL_TPS].median, r->m[METRIC_DECODE_TPS].median,
               per_step(r->decode.dispatches, r->decode_steps), f, realised);
    }
}

/* The top kernels of each stage of one setting (mean GPU ms per run, share of the stage's GPU time). */
static void print_kernels(const setting_row *r, long repeat, int top) {
    static const char *const stages[] = {"vision", "prefill", "decode"};
    for (int s = 0; s < 3; s++) {
        double total = 0;
        int dispatches = 0;
        for (int i = 0; i < r->kernel_count; i++)
            if (strcmp(r->kernels[i].stage, stages[s]) == 0) total += r->kernels[i].gpu_ms, dispatches += r->kernels[i].dispatches;
        if (!dispatches) continue;
        printf("  %s (%s): %.1f ms GPU per run in %.0f dispatches\n", stages[s], r->setting, total / repeat,
               dispatches / (double)repeat);
        int shown = 0;
        for (int i = 0; i < r->kernel_count && shown < top; i++) {
            const vkvlm_kernel_stat *k = &r->kernels[i];
            if (strcmp(k->stage, stages[s]) != 0) continue;
            printf("    %-34s %10.2f ms %5.1f%% %8.0f dispatches\n", k->name, k->gpu_ms / repeat,
                   total > 0 ? 100.0 * k->gpu_ms / total : 0, k->dispatches / (double)repeat);
            shown++;
        }
    }
}

/* ---------------------------------------------------------------- the runs */

/* Weight loading, in steps of 10% (one line per step when stderr is a file). */
static void progress(void *user, const char *stage, double fraction) {
    int *last = user, step = (int)(fraction * 10);
    if (step == *last) return;
    *last = step;
    fprintf(stderr, "bench: %s %3d%%%s", stage ? stage : "loading", step * 10, isatty(2) ? "   \r" : "\n");
}

/* The prompt of --prompt-tokens: N ids spread over the vocabulary by a fixed stride (deterministic, and not one
 * repeated id, so attention and the embedding gather see varied rows). */
static int *benchmark_ids(int n, unsigned vocab, int image_token) {
    int *ids = malloc((size_t)n * sizeof *ids);
    for (int i = 0; ids && i < n; i++) {
        ids[i] = (int)((1u + (unsigned)i * 7919u) % vocab);
        if (ids[i] == image_token) ids[i] = (ids[i] + 1) % (int)vocab; /* text only */
    }
    return ids;
}

static int run_setting(vkvlm_session *s, const bench_model_opts *o, const vkvlm_generate_desc *g, setting_row *row,
                       int index, int settings) {
    vkvlm_error err = {0};
    for (long r = -1; r < o->repeat; r++) { /* r = -1: the warm-up (pipelines, caches) */
        fprintf(stderr, "bench: %s (setting %d/%d): %s %ld/%ld%s", row->setting, index + 1, settings,
                r < 0 ? "warm-up" : "run", r < 0 ? 0 : r + 1, o->repeat, isatty(2) ? "   \r" : "\n");
        vkvlm_result res;
        if (vkvlm_session_generate(s, g, &res, &err) != VKVLM_OK) return cli_fail(&err);
        if (r >= 0) {
            const vkvlm_timings *t = &res.timings_ms;
            double v[METRIC_COUNT] = {
                [METRIC_PREPROCESS] = t->preprocess,
                [METRIC_VISION] = t->vision,
                [METRIC_PREFILL] = t->prefill,
                [METRIC_TTFT] = t->preprocess + t->vision + t->prefill,
                [METRIC_DECODE] = t->decode,
                [METRIC_PREFILL_TPS] = t->prefill > 0 ? res.prompt_count / (t->prefill / 1e3) : 0,
                [METRIC_DECODE_TPS] = res.decode_tokens_per_s,
                [METRIC_GPU_VISION] = res.work_vision.gpu_ms,
                [METRIC_GPU_PREFILL] = res.work_prefill.gpu_ms,
                [METRIC_GPU_DECODE] = res.work_decode.gpu_ms,
            };
            for (int m = 0; m < METRIC_COUNT; m++) row->runs[m][r] = v[m];
            if (!add_kernels(row, &res)) {
                vkvlm_result_free(&res);
                fprintf(stderr, "\nvkvlm: error: out of memory\n");
                return 1;
            }
        }
        row->vision = res.work_vision;
        row->prefill = res.work_prefill;
        row->decode = res.work_decode;
        row->decode_steps = res.work_decode.submits;
        row->flops_vision = res.flops_vision_actual;
        row->flops_prefill = res.flops_prefill_actual;
        row->flops_llm = res.flops_llm_actual;
        row->flops_llm_baseline = res.flops_llm_baseline;
        row->flops_total = res.flops_actual;
        row->prompt_tokens = res.prompt_count;
        row->new_tokens = res.token_count;
        /* rows the LLM keeps: FastV and FiCoCo-L report them; FiCoCo-V already shortened the prompt itself, and
         * ProxyV keeps every row (its kept_count counts proxies) */
        bool reports_rows = res.reduction_count && res.reductions[0].kept_count &&
                            strcmp(res.reductions[0].method, "proxyv") != 0;
        row->kept = reports_rows ? res.reductions[0].kept_count : res.prompt_count;
        vkvlm_result_free(&res);
    }
    for (int m = 0; m < METRIC_COUNT; m++) row->m[m] = spread_of(row->runs[m], (int)o->repeat);
    if (row->kernel_count) qsort(row->kernels, (size_t)row->kernel_count, sizeof *row->kernels, by_gpu_time);
    return 0;
}

static int bench_loaded(const bench_model_opts *o, const char *model) {
    char sample[4096];
    int progress_step = -1;
    const char *image = o->text_only ? NULL : o->image;
    if (!o->text_only && !image) { /* vkvlm_make_tiny and --shape write it */
        snprintf(sample, sizeof sample, "%s/sample.png", model);
        image = sample;
    }
    vkvlm_session_desc sd = {.model_dir = model, .backend = o->backend, .device = o->device,
                             .context_length = (unsigned)o->ctx, .logger = cli_logger(), .progress = progress,
                             .progress_user = &progress_step, .quant = o->quant,
                             /* a --shape directory is new every run: caching it would only fill the disk */
                             .quant_cache_dir = o->shape ? "" : NULL};
    vkvlm_session *s = NULL;
    vkvlm_error err = {0};
    vkvlm_status created = vkvlm_session_create(&sd, &s, &err);
    if (isatty(2)) fprintf(stderr, "\n");
    if (created != VKVLM_OK) return cli_fail(&err);
    vkvlm_session_info info;
    vkvlm_session_info_get(s, &info);
    int settings = o->reduce_count + 1, code = 0;
    setting_row *rows = calloc((size_t)settings, sizeof *rows);
    int *ids = o->prompt_tokens ? benchmark_ids(o->prompt_tokens, info.vocab_size, info.image_token_id) : NULL;
    if (!rows || (o->prompt_tokens && !ids)) code = 1;
    for (int k = 0; k < settings && !code; k++)
        for (int m = 0; m < METRIC_COUNT; m++)
            if (!(rows[k].runs[m] = calloc((size_t)o->repeat, sizeof(double)))) code = 1;
    if (code) fprintf(stderr, "vkvlm: error: out of memory\n");
    if (!code)
        printf("bench %s%s on %s (%s), %ld run%s per setting after a warm-up, %s, -n %ld%s%s\n",
               o->shape ? "--shape " : "-m ", o->shape ? o->shape : model, info.device_name, info.driver, o->repeat,
               o->repeat == 1 ? "" : "s", image ? "with the image" : "text only", o->n, o->quant ? ", --quant " : "",
               o->quant ? o->quant : "");
    for (int k = 0; k < settings && !code; k++) {
        const char *spec = k == 0 ? "none" : o->reduce[k - 1];
        const char *images[] = {image}, *specs[] = {spec};
        vkvlm_generate_desc g = {.images = image ? images : NULL, .image_count = image ? 1 : 0,
                                 .max_new_tokens = (int)o->n, .ignore_eos = 1, .reduce = specs, .reduce_count = 1};
        if (ids) g.prompt_ids = ids, g.prompt_id_count = o->prompt_tokens;
        else g.prompt = o->prompt;
        rows[k].setting = spec;
        code = run_setting(s, o, &g, &rows[k], k, settings);
    }
    if (isatty(2)) fprintf(stderr, "%60s\r", "");
    if (!code) {
        print_rows(rows, settings);
        vkvlm_session_info_get(s, &info); /* the peak after the runs */
        printf("device memory: weights %.1f MiB, planned %.1f MiB, peak %.1f MiB\n", info.weight_bytes / 1048576.0,
               info.planned_bytes / 1048576.0, info.peak_bytes / 1048576.0);
        printf("GPU time per kernel (timestamps, mean per run; the top %d of each stage):\n", o->top);
        for (int k = 0; k < settings; k++) print_kernels(&rows[k], o->repeat, o->top);
    }
    if (!code && o->json && !write_model_json(o, model, s, rows, settings)) code = 1;
    for (int k = 0; rows && k < settings; k++) {
        for (int m = 0; m < METRIC_COUNT; m++) free(rows[k].runs[m]);
        free(rows[k].kernels);
    }
    free(rows);
    free(ids);
    vkvlm_session_destroy(s);
    return code;
}

int bench_model(const bench_model_opts *o) {
    if (!o->shape) return bench_loaded(o, o->model);
    char dir[4096];
    if (!make_shape_dir(dir, sizeof dir)) {
        fprintf(stderr, "vkvlm: error: bench --shape: cannot create a temporary directory (/dev/shm, $TMPDIR, /tmp): %s\n",
                strerror(errno));
        return 1;
    }
    const synth_shape *shape = synth_model_shape_find(o->shape);
    fprintf(stderr, "bench: writing shape %s (%s) to %s ...\n", o->shape, shape ? shape->about : "?", dir);
    synth_model_desc d = {.dir = dir, .shape = o->shape, .text_layers = o->text_layers,
                          .vision_layers = o->vision_layers, .seed = 1};
    char summary[512];
    vkvlm_error err = {0};
    double t0 = vkvlm_now_ms();
    int code = synth_model_write(&d, summary, sizeof summary, &err) == VKVLM_OK ? 0 : cli_fail(&err);
    if (!code) fprintf(stderr, "bench: wrote %s in %.1f s\n", summary, (vkvlm_now_ms() - t0) / 1e3);
    if (!code) code = bench_loaded(o, dir);
    if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "vkvlm: warning: could not remove %s: %s\n", dir, strerror(errno));
    return code;
}
