/* bench_run.h — the model benchmark both builds run: `vkvlm bench -m DIR | --shape NAME` (src/cli/bench_model.c)
 * and the web page's Benchmark button (web/vkvlm_web_bench.c). On one loaded session, the same input with no
 * reduction and then with each --reduce setting; per setting a warm-up and R timed runs, medians with min/max of
 * every metric, GPU work per stage, per-kernel GPU time and analytic FLOPs (bench_run.c); and the JSON
 * `vkvlm report` reads (bench_json.c). The caller prints, supplies the device block (Vulkan caps on the CLI, the
 * WebGPU adapter on the web) and decides where the JSON goes. Not part of the public API. */
#ifndef VKVLM_ENGINE_BENCH_RUN_H
#define VKVLM_ENGINE_BENCH_RUN_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "vkvlm.h"

/* Both JSON kinds ("ops", "model") carry "kind" and "schema" so that `vkvlm report` can tell them apart and
 * refuse a layout it does not know; bump the schema when a field changes meaning (adding fields does not). */
#define BENCH_JSON_SCHEMA 1

typedef struct bench_spread {
    double median, min, max;
} bench_spread;

enum { BENCH_PREPROCESS, BENCH_VISION, BENCH_PREFILL, BENCH_TTFT, BENCH_DECODE, BENCH_PREFILL_TPS,
       BENCH_DECODE_TPS, BENCH_GPU_VISION, BENCH_GPU_PREFILL, BENCH_GPU_DECODE, BENCH_METRIC_COUNT };
/* "preprocess_ms", ... as the JSON's "metrics" object names them */
extern const char *const bench_metric_names[BENCH_METRIC_COUNT];

/* One setting's runs. */
typedef struct bench_row {
    const char *setting;                      /* the --reduce spec ("none" first); the caller's string */
    double *runs[BENCH_METRIC_COUNT];         /* [repeat] each, sorted once the row is done */
    bench_spread m[BENCH_METRIC_COUNT];
    vkvlm_stage_work vision, prefill, decode; /* of the last run (the same every run) */
    int decode_steps;                         /* decode submits of the last run */
    vkvlm_kernel_stat *kernels;               /* summed over the timed runs, most time first */
    int kernel_count;
    double flops_vision, flops_prefill, flops_llm, flops_total, flops_llm_baseline;
    int prompt_tokens, kept, new_tokens;
} bench_row;

/* Called before every run: run -1 is the setting's warm-up, then 0..repeat-1. */
typedef void (*bench_progress_fn)(void *user, const char *setting, int index, int settings, long run, long repeat);

typedef struct bench_desc {
    vkvlm_generate_desc input;       /* prompt or prompt_ids, images, max_new_tokens; reduce and ignore_eos are
                                        set per setting (ignore_eos always: every run decodes the same length) */
    const char *const *reduce;       /* the settings measured after "none", [reduce_count] */
    int reduce_count;
    long repeat;                     /* timed runs per setting, >= 1 */
    bench_progress_fn progress;      /* NULL: silent */
    void *progress_user;
} bench_desc;

/* Runs every setting; *rows gets reduce_count + 1 rows (free them with bench_rows_free, also on failure). */
vkvlm_status bench_run(vkvlm_session *s, const bench_desc *d, bench_row **rows, int *count, vkvlm_error *err);
void bench_rows_free(bench_row *rows, int count);

/* A prompt of exactly n ids spread over the vocabulary by a fixed stride (deterministic, and not one repeated
 * id, so attention and the embedding gather see varied rows), never the image token. malloc'd; NULL: no memory. */
int *bench_prompt_ids(int n, unsigned vocab, int image_token);

/* count / steps, 0 without steps: dispatches per decoded token. */
double bench_per_step(int count, int steps);

/* ---------------------------------------------------------------- JSON (bench_json.c) */

cJSON *bench_json_root(const char *kind);
void bench_json_add_date(cJSON *root);

/* What the model file says about the run besides the rows. */
typedef struct bench_model_meta {
    const char *model;       /* the directory, shape, URL or other name the report groups by */
    const char *source;      /* "directory" | "shape" | ... */
    const char *quant;       /* NULL: "none" */
    long repeat, new_tokens;
    int prompt_tokens;       /* the requested --prompt-tokens, 0: the prompt text */
    bool image;
} bench_model_meta;

/* The "model" kind: model, source, model_type, quant, date, device (taken over; NULL: none), memory (the
 * session's peak so far), repeat, new_tokens, prompt_tokens_requested, image, settings. On a device without
 * timestamps every GPU time (per kernel, per stage) is null rather than a measured-looking 0. NULL: no memory. */
cJSON *bench_model_json(const bench_model_meta *m, const vkvlm_session *s, cJSON *device, const bench_row *rows,
                        int count);

#endif
