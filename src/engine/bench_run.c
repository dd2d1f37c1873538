/* bench_run.c — the measuring half of the model benchmark (bench_run.h): every setting's warm-up and timed runs,
 * the per-kernel sums, and the median / min / max of each metric. */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "engine/bench_run.h"

const char *const bench_metric_names[BENCH_METRIC_COUNT] = {
    "preprocess_ms", "vision_ms", "prefill_ms", "ttft_ms", "decode_ms", "prefill_tokens_per_s",
    "decode_tokens_per_s", "gpu_vision_ms", "gpu_prefill_ms", "gpu_decode_ms"};

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v in place. */
static bench_spread spread_of(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, by_value);
    return (bench_spread){v[n / 2], v[0], v[n - 1]};
}

/* Most GPU time first; ties (every kernel at 0 without timestamps) by dispatches, then name, so the order is
 * the same on every run and the top of the list still means something. */
static int by_gpu_time(const void *a, const void *b) {
    const vkvlm_kernel_stat *x = a, *y = b;
    if (x->gpu_ms != y->gpu_ms) return (x->gpu_ms < y->gpu_ms) - (x->gpu_ms > y->gpu_ms);
    if (x->dispatches != y->dispatches) return (x->dispatches < y->dispatches) - (x->dispatches > y->dispatches);
    return strcmp(x->name, y->name);
}

double bench_per_step(int count, int steps) { return steps > 0 ? (double)count / steps : 0; }

int *bench_prompt_ids(int n, unsigned vocab, int image_token) {
    int *ids = n > 0 && vocab > 0 ? malloc((size_t)n * sizeof *ids) : NULL;
    for (int i = 0; ids && i < n; i++) {
        ids[i] = (int)((1u + (unsigned)i * 7919u) % vocab);
        if (ids[i] == image_token) ids[i] = (ids[i] + 1) % (int)vocab; /* text only */
    }
    return ids;
}

/* Adds one run's kernel stats into the row's sums (same stage and name). */
static int add_kernels(bench_row *row, const vkvlm_result *res) {
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

/* What does not change between runs of a setting: the work, FLOPs and token counts of the last one. */
static void keep_shape(bench_row *row, const vkvlm_result *res) {
    row->vision = res->work_vision;
    row->prefill = res->work_prefill;
    row->decode = res->work_decode;
    row->decode_steps = res->work_decode.submits;
    row->flops_vision = res->flops_vision_actual;
    row->flops_prefill = res->flops_prefill_actual;
    row->flops_llm = res->flops_llm_actual;
    row->flops_llm_baseline = res->flops_llm_baseline;
    row->flops_total = res->flops_actual;
    row->prompt_tokens = res->prompt_count;
    row->new_tokens = res->token_count;
    /* rows the LLM keeps: FastV and FiCoCo-L report them; FiCoCo-V already shortened the prompt itself, and
     * ProxyV keeps every row (its kept_count counts proxies) */
    bool reports_rows = res->reduction_count && res->reductions[0].kept_count &&
                        strcmp(res->reductions[0].method, "proxyv") != 0;
    row->kept = reports_rows ? res->reductions[0].kept_count : res->prompt_count;
}

static vkvlm_status run_setting(vkvlm_session *s, const bench_desc *d, const vkvlm_generate_desc *g, bench_row *row,
                                int index, int settings, vkvlm_error *err) {
    for (long r = -1; r < d->repeat; r++) { /* r = -1: the warm-up (pipelines, caches) */
        if (d->progress) d->progress(d->progress_user, row->setting, index, settings, r, d->repeat);
        vkvlm_result res;
        vkvlm_status st = vkvlm_session_generate(s, g, &res, err);
        if (st != VKVLM_OK) return st;
        if (r >= 0) {
            const vkvlm_timings *t = &res.timings_ms;
            double v[BENCH_METRIC_COUNT] = {
                [BENCH_PREPROCESS] = t->preprocess,
                [BENCH_VISION] = t->vision,
                [BENCH_PREFILL] = t->prefill,
                [BENCH_TTFT] = t->preprocess + t->vision + t->prefill,
                [BENCH_DECODE] = t->decode,
                [BENCH_PREFILL_TPS] = t->prefill > 0 ? res.prompt_count / (t->prefill / 1e3) : 0,
                [BENCH_DECODE_TPS] = res.decode_tokens_per_s,
                [BENCH_GPU_VISION] = res.work_vision.gpu_ms,
                [BENCH_GPU_PREFILL] = res.work_prefill.gpu_ms,
                [BENCH_GPU_DECODE] = res.work_decode.gpu_ms,
            };
            for (int m = 0; m < BENCH_METRIC_COUNT; m++) row->runs[m][r] = v[m];
            if (!add_kernels(row, &res)) {
                vkvlm_result_free(&res);
                return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "bench: out of memory for the kernel statistics");
            }
        }
        keep_shape(row, &res);
        vkvlm_result_free(&res);
    }
    for (int m = 0; m < BENCH_METRIC_COUNT; m++) row->m[m] = spread_of(row->runs[m], (int)d->repeat);
    if (row->kernel_count) qsort(row->kernels, (size_t)row->kernel_count, sizeof *row->kernels, by_gpu_time);
    return VKVLM_OK;
}

vkvlm_status bench_run(vkvlm_session *s, const bench_desc *d, bench_row **rows_out, int *count, vkvlm_error *err) {
    *rows_out = NULL;
    *count = 0;
    if (d->repeat < 1) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "bench: repeat must be at least 1");
    int settings = d->reduce_count + 1;
    bench_row *rows = calloc((size_t)settings, sizeof *rows);
    if (!rows) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "bench: out of memory");
    *rows_out = rows;
    *count = settings;
    for (int k = 0; k < settings; k++)
        for (int m = 0; m < BENCH_METRIC_COUNT; m++)
            if (!(rows[k].runs[m] = calloc((size_t)d->repeat, sizeof(double))))
                return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "bench: out of memory");
    for (int k = 0; k < settings; k++) {
        const char *spec = k == 0 ? "none" : d->reduce[k - 1];
        const char *specs[] = {spec};
        vkvlm_generate_desc g = d->input;
        g.reduce = specs;
        g.reduce_count = 1;
        g.ignore_eos = 1;
        rows[k].setting = spec;
        vkvlm_status st = run_setting(s, d, &g, &rows[k], k, settings, err);
        if (st != VKVLM_OK) return st;
    }
    return VKVLM_OK;
}

void bench_rows_free(bench_row *rows, int count) {
    for (int k = 0; rows && k < count; k++) {
        for (int m = 0; m < BENCH_METRIC_COUNT; m++) free(rows[k].runs[m]);
        free(rows[k].kernels);
    }
    free(rows);
}
