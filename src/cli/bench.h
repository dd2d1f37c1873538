/* bench.h — the parts of `vkvlm bench` shared by its files: the model benchmark's options (bench_model.c) and
 * writing the JSON both benchmark kinds make (bench.c; the envelope and the model rows are the engine's,
 * engine/bench_run.h). */
#ifndef VKVLM_CLI_BENCH_H
#define VKVLM_CLI_BENCH_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "engine/bench_run.h"

typedef struct bench_model_opts {
    const char *model;          /* -m DIR, or NULL with shape */
    const char *shape;          /* --shape NAME: written to tmpfs for the run */
    int text_layers, vision_layers; /* --text-layers / --vision-layers for the shape; 0: the shape's */
    const char *image;          /* --image; NULL: DIR/sample.png */
    bool text_only;             /* --no-image or --prompt-tokens */
    const char *prompt;         /* -p */
    int prompt_tokens;          /* --prompt-tokens N: exactly N ids, no template; 0: the prompt text */
    const char *const *reduce;  /* --reduce settings after none */
    int reduce_count;
    long n, repeat, ctx;
    const char *backend, *device, *quant, *json;
    int top;                    /* kernels listed per stage */
} bench_model_opts;

int bench_model(const bench_model_opts *o);

/* Writes and deletes root; prints the error and returns 0 when the file cannot be written. */
int bench_json_write(const char *path, cJSON *root);

#endif
