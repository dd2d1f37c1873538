/* bench_json.c — the JSON half of the model benchmark (bench_run.h): the envelope every benchmark file has
 * (kind, schema, date) and the "model" kind's rows, exactly as `vkvlm report` and CLI.md expect them. */
#include <time.h>

#include "engine/bench_run.h"
#include "engine/session_internal.h"

cJSON *bench_json_root(const char *kind) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "kind", kind);
    cJSON_AddNumberToObject(root, "schema", BENCH_JSON_SCHEMA);
    return root;
}

void bench_json_add_date(cJSON *root) {
    char date[32];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    cJSON_AddStringToObject(root, "date", date);
}

static cJSON *spread_json(bench_spread s) {
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

static bool is_gpu_time(int metric) {
    return metric == BENCH_GPU_VISION || metric == BENCH_GPU_PREFILL || metric == BENCH_GPU_DECODE;
}

/* timed: the device has timestamps; without them the profile's GPU times are 0 by construction, which a
 * reader would take for "too fast to measure", so they are written as null. */
static cJSON *row_json(const bench_row *r, long repeat, bool timed) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "reduce", r->setting);
    cJSON_AddNumberToObject(o, "prompt_tokens", r->prompt_tokens);
    cJSON_AddNumberToObject(o, "kept_tokens", r->kept);
    cJSON_AddNumberToObject(o, "new_tokens", r->new_tokens);
    /* the flat medians older readers (and report.c) use, then every metric with its spread */
    cJSON_AddNumberToObject(o, "vision_ms", r->m[BENCH_VISION].median);
    cJSON_AddNumberToObject(o, "prefill_ms", r->m[BENCH_PREFILL].median);
    cJSON_AddNumberToObject(o, "prefill_ms_min", r->m[BENCH_PREFILL].min);
    cJSON_AddNumberToObject(o, "prefill_ms_max", r->m[BENCH_PREFILL].max);
    cJSON_AddNumberToObject(o, "ttft_ms", r->m[BENCH_TTFT].median);
    cJSON_AddNumberToObject(o, "prefill_tokens_per_s", r->m[BENCH_PREFILL_TPS].median);
    cJSON_AddNumberToObject(o, "decode_tokens_per_s", r->m[BENCH_DECODE_TPS].median);
    cJSON *metrics = cJSON_AddObjectToObject(o, "metrics");
    for (int m = 0; m < BENCH_METRIC_COUNT; m++) {
        if (!timed && is_gpu_time(m)) cJSON_AddNullToObject(metrics, bench_metric_names[m]);
        else cJSON_AddItemToObject(metrics, bench_metric_names[m], spread_json(r->m[m]));
    }
    cJSON *work = cJSON_AddObjectToObject(o, "work");
    cJSON_AddItemToObject(work, "vision", work_json(&r->vision));
    cJSON_AddItemToObject(work, "prefill", work_json(&r->prefill));
    cJSON_AddItemToObject(work, "decode", work_json(&r->decode));
    cJSON_AddNumberToObject(o, "dispatches_per_decoded_token", bench_per_step(r->decode.dispatches, r->decode_steps));
    cJSON_AddNumberToObject(o, "flops_vision", r->flops_vision);
    cJSON_AddNumberToObject(o, "flops_prefill", r->flops_prefill);
    cJSON_AddNumberToObject(o, "flops_llm", r->flops_llm);
    cJSON_AddNumberToObject(o, "flops_llm_baseline", r->flops_llm_baseline);
    cJSON_AddNumberToObject(o, "flops_total", r->flops_total);
    double v = r->m[BENCH_VISION].median, p = r->m[BENCH_PREFILL].median;
    cJSON_AddNumberToObject(o, "vision_gflops_per_s", v > 0 ? r->flops_vision / v / 1e6 : 0);
    cJSON_AddNumberToObject(o, "prefill_gflops_per_s", p > 0 ? r->flops_prefill / p / 1e6 : 0);
    cJSON *kernels = cJSON_AddArrayToObject(o, "kernels"); /* mean per timed run */
    for (int i = 0; i < r->kernel_count; i++) {
        cJSON *k = cJSON_CreateObject();
        cJSON_AddStringToObject(k, "stage", r->kernels[i].stage);
        cJSON_AddStringToObject(k, "name", r->kernels[i].name);
        cJSON_AddNumberToObject(k, "dispatches", r->kernels[i].dispatches / (double)repeat);
        if (timed) cJSON_AddNumberToObject(k, "gpu_ms", r->kernels[i].gpu_ms / (double)repeat);
        else cJSON_AddNullToObject(k, "gpu_ms");
        cJSON_AddItemToArray(kernels, k);
    }
    return o;
}

cJSON *bench_model_json(const bench_model_meta *m, const vkvlm_session *s, cJSON *device, const bench_row *rows,
                        int count) {
    vkvlm_session_info info;
    vkvlm_session_info_get(s, &info);
    gpu_device_info dev;
    const char *limits;
    vkvlm_session_device_info(s, &dev, &limits);
    cJSON *root = bench_json_root("model");
    if (!root) {
        cJSON_Delete(device);
        return NULL;
    }
    cJSON_AddStringToObject(root, "model", m->model ? m->model : "");
    cJSON_AddStringToObject(root, "source", m->source ? m->source : "directory");
    cJSON_AddStringToObject(root, "model_type", info.model_type ? info.model_type : "");
    cJSON_AddStringToObject(root, "quant", m->quant ? m->quant : "none");
    bench_json_add_date(root);
    if (device) cJSON_AddItemToObject(root, "device", device);
    cJSON *mem = cJSON_AddObjectToObject(root, "memory");
    cJSON_AddNumberToObject(mem, "weight_bytes", (double)info.weight_bytes);
    cJSON_AddNumberToObject(mem, "planned_bytes", (double)info.planned_bytes);
    cJSON_AddNumberToObject(mem, "peak_bytes", (double)info.peak_bytes);
    cJSON_AddNumberToObject(root, "repeat", (double)m->repeat);
    cJSON_AddNumberToObject(root, "new_tokens", (double)m->new_tokens);
    cJSON_AddNumberToObject(root, "prompt_tokens_requested", m->prompt_tokens);
    cJSON_AddBoolToObject(root, "image", m->image);
    cJSON *list = cJSON_AddArrayToObject(root, "settings");
    for (int k = 0; k < count; k++) cJSON_AddItemToArray(list, row_json(&rows[k], m->repeat, dev.caps.timestamps));
    return root;
}
