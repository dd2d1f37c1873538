/* bench_model.c — `vkvlm bench -m DIR | --shape NAME`: one model, the same input with no reduction and then with
 * each --reduce setting, in one run; a warm-up and R timed runs per setting, medians with min/max. Per setting:
 * preprocess, vision encode, prefill and time to first token, prefill and decode tokens/s, GPU dispatches per
 * stage (and per decoded token), per-kernel GPU time, analytic FLOPs and achieved GFLOP/s, peak device memory.
 * --shape writes a random-weight model of a family's real dimensions (models/synth_model.h) to a temporary
 * directory on tmpfs (/dev/shm when it is there) and removes it afterwards. Progress goes to stderr, the
 * table to stdout, JSON to --json. The runs, statistics and JSON rows are the engine's (engine/bench_run.h, which
 * the web build's Benchmark button shares); this file adds the shape, the printing and the Vulkan device block. */
#define _XOPEN_SOURCE 700
#include <cjson/cJSON.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* ---------------------------------------------------------------- JSON */

/* The engine's model JSON (engine/bench_run.h) with this device's Vulkan (or CPU) capabilities as its device block. */
static int write_model_json(const bench_model_opts *o, const char *model, vkvlm_session *s, const bench_row *rows,
                            int settings) {
    vkvlm_session_info info;
    vkvlm_session_info_get(s, &info);
    gpu_device_info dev;
    const char *limits;
    vkvlm_session_device_info(s, &dev, &limits);
    cJSON *device = cli_device_json(&dev, limits ? limits : "");
    /* the combined driver string the table prints; devices --json's own fields stay beside it */
    cJSON_AddStringToObject(device, "driver_full", info.driver);
    bench_model_meta meta = {.model = o->shape ? o->shape : model, .source = o->shape ? "shape" : "directory",
                             .quant = o->quant, .repeat = o->repeat, .new_tokens = o->n,
                             .prompt_tokens = o->prompt_tokens, .image = !o->text_only};
    cJSON *root = bench_model_json(&meta, s, device, rows, settings);
    if (!root) {
        fprintf(stderr, "vkvlm: error: out of memory\n");
        return 0;
    }
    return bench_json_write(o->json, root);
}

/* ---------------------------------------------------------------- the table */

static void print_rows(const bench_row *rows, int settings) {
    printf("%-22s %11s %9s %11s %9s %9s %9s %9s %8s %8s %9s\n", "setting", "tokens", "vision", "prefill", "spread",
           "TTFT", "prefill/s", "decode/s", "disp/tok", "FLOPs", "realised");
    for (int k = 0; k < settings; k++) {
        const bench_row *r = &rows[k];
        double t = r->m[BENCH_PREFILL].median / rows[0].m[BENCH_PREFILL].median, f = r->flops_llm / rows[0].flops_llm;
        char realised[32] = "-", tokens[32], spread_text[32];
        /* the share of the analytic FLOPs reduction that the measured prefill time realised */
        if (k > 0 && f < 1) snprintf(realised, sizeof realised, "%.0f%%", 100.0 * (1 - t) / (1 - f));
        snprintf(tokens, sizeof tokens, "%d->%d", r->prompt_tokens, r->kept);
        snprintf(spread_text, sizeof spread_text, "%.0f-%.0f", r->m[BENCH_PREFILL].min, r->m[BENCH_PREFILL].max);
        printf("%-22s %11s %7.0fms %9.0fms %9s %7.0fms %9.2f %9.2f %8.1f %7.2fx %9s\n", r->setting, tokens,
               r->m[BENCH_VISION].median, r->m[BENCH_PREFILL].median, spread_text, r->m[BENCH_TTFT].median,
               r->m[BENCH_PREFILL_TPS].median, r->m[BENCH_DECODE_TPS].median,
               bench_per_step(r->decode.dispatches, r->decode_steps), f, realised);
    }
}

/* The top kernels of each stage of one setting (mean GPU ms per run, share of the stage's GPU time); without
 * timestamps only the dispatches, the times being no measurement. */
static void print_kernels(const bench_row *r, long repeat, int top, bool timed) {
    static const char *const stages[] = {"vision", "prefill", "decode"};
    for (int s = 0; s < 3; s++) {
        double total = 0;
        int dispatches = 0;
        for (int i = 0; i < r->kernel_count; i++)
            if (strcmp(r->kernels[i].stage, stages[s]) == 0) total += r->kernels[i].gpu_ms, dispatches += r->kernels[i].dispatches;
        if (!dispatches) continue;
        if (timed)
            printf("  %s (%s): %.1f ms GPU per run in %.0f dispatches\n", stages[s], r->setting, total / repeat,
                   dispatches / (double)repeat);
        else printf("  %s (%s): %.0f dispatches per run\n", stages[s], r->setting, dispatches / (double)repeat);
        int shown = 0;
        for (int i = 0; i < r->kernel_count && shown < top; i++) {
            const vkvlm_kernel_stat *k = &r->kernels[i];
            if (strcmp(k->stage, stages[s]) != 0) continue;
            if (timed)
                printf("    %-34s %10.2f ms %5.1f%% %8.0f dispatches\n", k->name, k->gpu_ms / repeat,
                       total > 0 ? 100.0 * k->gpu_ms / total : 0, k->dispatches / (double)repeat);
            else printf("    %-34s %8.0f dispatches\n", k->name, k->dispatches / (double)repeat);
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

static void run_progress(void *user, const char *setting, int index, int settings, long run, long repeat) {
    (void)user;
    fprintf(stderr, "bench: %s (setting %d/%d): %s %ld/%ld%s", setting, index + 1, settings,
            run < 0 ? "warm-up" : "run", run < 0 ? 0 : run + 1, repeat, isatty(2) ? "   \r" : "\n");
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
    int *ids = o->prompt_tokens ? bench_prompt_ids(o->prompt_tokens, info.vocab_size, info.image_token_id) : NULL;
    if (o->prompt_tokens && !ids) {
        fprintf(stderr, "vkvlm: error: out of memory\n");
        vkvlm_session_destroy(s);
        return 1;
    }
    printf("bench %s%s on %s (%s), %ld run%s per setting after a warm-up, %s, -n %ld%s%s\n",
           o->shape ? "--shape " : "-m ", o->shape ? o->shape : model, info.device_name, info.driver, o->repeat,
           o->repeat == 1 ? "" : "s", image ? "with the image" : "text only", o->n, o->quant ? ", --quant " : "",
           o->quant ? o->quant : "");
    const char *images[] = {image};
    bench_desc d = {.input = {.images = image ? images : NULL, .image_count = image ? 1 : 0,
                              .max_new_tokens = (int)o->n},
                    .reduce = o->reduce, .reduce_count = o->reduce_count, .repeat = o->repeat,
                    .progress = run_progress};
    if (ids) d.input.prompt_ids = ids, d.input.prompt_id_count = o->prompt_tokens;
    else d.input.prompt = o->prompt;
    bench_row *rows = NULL;
    int settings = 0;
    int code = bench_run(s, &d, &rows, &settings, &err) == VKVLM_OK ? 0 : -1;
    if (isatty(2)) fprintf(stderr, "%60s\r", "");
    if (code) code = cli_fail(&err); /* after the progress line is cleared */
    if (!code) {
        print_rows(rows, settings);
        vkvlm_session_info_get(s, &info); /* the peak after the runs */
        printf("device memory: weights %.1f MiB, planned %.1f MiB, peak %.1f MiB\n", info.weight_bytes / 1048576.0,
               info.planned_bytes / 1048576.0, info.peak_bytes / 1048576.0);
        gpu_device_info dev;
        const char *limits;
        vkvlm_session_device_info(s, &dev, &limits);
        if (dev.caps.timestamps)
            printf("GPU time per kernel (timestamps, mean per run; the top %d of each stage):\n", o->top);
        else printf("dispatches per kernel (this device has no timestamps; the top %d of each stage):\n", o->top);
        for (int k = 0; k < settings; k++) print_kernels(&rows[k], o->repeat, o->top, dev.caps.timestamps);
    }
    if (!code && o->json && !write_model_json(o, model, s, rows, settings)) code = 1;
    bench_rows_free(rows, settings);
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
