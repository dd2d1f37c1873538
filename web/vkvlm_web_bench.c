/* vkvlm_web_bench.c — vkvlm_web_benchmark(request): `vkvlm bench -m DIR` on the web module's loaded session.
 * The runs, statistics and JSON rows are the engine's (src/engine/bench_run.h), the same code the CLI runs, so
 * the file has the CLI's schema and `kind` and `vkvlm report` merges it with native files. What differs is
 * the device block: the WebGPU adapter (GPUAdapterInfo's vendor, architecture, device and description, and
 * the limits the backend plans with) or the wasm CPU backend with the reason WebGPU was not used.
 *
 * request: {"reduce": ["spec", ...] (the settings after "none", at most 8), "repeat" (default 3),
 * "max_new_tokens" (default 1), "prompt" (default "Describe this image.") or "prompt_tokens" N (a text-only
 * prompt of exactly N ids), "image" (a path in the module's file system; absent: text only), "model" and
 * "source" (what the file calls the model), "requested_backend", "fallback_reason"}. */
#include <cjson/cJSON.h>
#include <emscripten.h>
#include <stdlib.h>
#include <string.h>

#include "engine/bench_run.h"
#include "engine/session_internal.h"
#include "vkvlm_web.h"

/* src/gpu/webgpu/wgpu_library.js: a GPUAdapterInfo string field of the session's adapter ("" when absent) */
extern void wgpu_js_adapter_info(const char *key, char *out, int cap);
/* vkvlm_web_library.js: one call per run (run -1: the setting's warm-up); yields so the page repaints */
extern void vkvlm_web_js_bench_progress(const char *setting, int index, int settings, int run, int repeat);

#define MAX_SETTINGS 8

static void bench_progress(void *user, const char *setting, int index, int settings, long run, long repeat) {
    (void)user;
    vkvlm_web_js_bench_progress(setting, index, settings, (int)run, (int)repeat);
}

static const char *req_str(const cJSON *req, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static double req_num(const cJSON *req, const char *key, double fallback) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

/* The capabilities the kernels were chosen and the memory planned with, under `vkvlm devices --json`'s names
 * (so native and web files compare key by key), and the same values again under WebGPU's limit names. */
static void add_limits(cJSON *o, const gpu_caps *c, bool webgpu) {
    cJSON_AddNumberToObject(o, "subgroup_size", c->subgroup_size);
    cJSON_AddNumberToObject(o, "subgroup_min_size", c->subgroup_min_size);
    cJSON_AddNumberToObject(o, "subgroup_max_size", c->subgroup_max_size);
    cJSON_AddBoolToObject(o, "fp16_arithmetic", c->fp16_arithmetic);
    cJSON_AddBoolToObject(o, "storage_16bit", c->storage_16bit);
    cJSON_AddNumberToObject(o, "max_shared_memory_bytes", c->max_shared_bytes);
    cJSON *wg = cJSON_AddArrayToObject(o, "max_workgroup_size");
    for (int a = 0; a < 3; a++) cJSON_AddItemToArray(wg, cJSON_CreateNumber(c->max_workgroup_size[a]));
    cJSON_AddNumberToObject(o, "max_workgroup_invocations", c->max_workgroup_invocations);
    cJSON_AddNumberToObject(o, "max_storage_buffer_range", (double)c->max_storage_buffer_range);
    cJSON_AddNumberToObject(o, "max_storage_buffers_per_stage", c->max_storage_buffers);
    cJSON_AddNumberToObject(o, "max_memory_allocation_size", (double)c->max_allocation_bytes);
    cJSON_AddNumberToObject(o, "min_storage_buffer_offset_alignment", (double)c->min_storage_offset_alignment);
    cJSON_AddNumberToObject(o, "device_local_bytes", (double)c->device_local_bytes);
    cJSON_AddBoolToObject(o, "timestamps", c->timestamps);
    if (!webgpu) return;
    cJSON *w = cJSON_AddObjectToObject(o, "webgpu_limits");
    cJSON_AddNumberToObject(w, "maxComputeWorkgroupStorageSize", c->max_shared_bytes);
    cJSON_AddNumberToObject(w, "maxComputeInvocationsPerWorkgroup", c->max_workgroup_invocations);
    cJSON_AddNumberToObject(w, "maxComputeWorkgroupSizeX", c->max_workgroup_size[0]);
    cJSON_AddNumberToObject(w, "maxComputeWorkgroupSizeY", c->max_workgroup_size[1]);
    cJSON_AddNumberToObject(w, "maxComputeWorkgroupSizeZ", c->max_workgroup_size[2]);
    cJSON_AddNumberToObject(w, "maxComputeWorkgroupsPerDimension", c->max_workgroup_count[0]);
    cJSON_AddNumberToObject(w, "maxStorageBufferBindingSize", (double)c->max_storage_buffer_range);
    cJSON_AddNumberToObject(w, "maxStorageBuffersPerShaderStage", c->max_storage_buffers);
    cJSON_AddNumberToObject(w, "maxBufferSize", (double)c->max_allocation_bytes);
    cJSON_AddNumberToObject(w, "minStorageBufferOffsetAlignment", (double)c->min_storage_offset_alignment);
}

static void add_adapter_field(cJSON *o, const char *key) {
    char text[256];
    wgpu_js_adapter_info(key, text, (int)sizeof text);
    cJSON_AddStringToObject(o, key, text);
}

/* The device block: `name` (what the report labels the column with), backend, the adapter's own strings,
 * type and driver, then the limits; on the CPU backend the backend that was asked for and why it was not used. */
static cJSON *device_json(const vkvlm_session *s, const cJSON *req) {
    gpu_device_info dev;
    const char *limits;
    vkvlm_session_device_info(s, &dev, &limits);
    vkvlm_session_info info;
    vkvlm_session_info_get(s, &info);
    const gpu_caps *c = &dev.caps;
    bool webgpu = dev.backend == GPU_BACKEND_WEBGPU;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "backend", gpu_backend_name(dev.backend));
    cJSON_AddStringToObject(o, "name", c->name);
    if (webgpu) { /* browsers may blank these (privacy): "" then, as the adapter gave them */
        add_adapter_field(o, "vendor");
        add_adapter_field(o, "architecture");
        add_adapter_field(o, "device");
        add_adapter_field(o, "description");
    } else {
        cJSON_AddStringToObject(o, "vendor", gpu_vendor_name(c->vendor_id));
    }
    cJSON_AddStringToObject(o, "type", gpu_device_type_name(c->type));
    cJSON_AddStringToObject(o, "driver", c->driver_name);
    cJSON_AddStringToObject(o, "driver_info", c->driver_info);
    cJSON_AddStringToObject(o, "driver_full", info.driver ? info.driver : "");
    add_limits(o, c, webgpu);
    cJSON_AddStringToObject(o, "limits_profile", webgpu && limits ? limits : "");
    const char *requested = req_str(req, "requested_backend"), *why = req_str(req, "fallback_reason");
    cJSON_AddStringToObject(o, "requested_backend", requested ? requested : gpu_backend_name(dev.backend));
    if (why) cJSON_AddStringToObject(o, "fallback_reason", why);
    else cJSON_AddNullToObject(o, "fallback_reason");
    return o;
}

static char *run(vkvlm_session *s, const cJSON *req) {
    const char *reduce[MAX_SETTINGS];
    int reduce_count = 0;
    const cJSON *red = cJSON_GetObjectItemCaseSensitive(req, "reduce"), *item;
    if (red && !cJSON_IsArray(red)) {
        vkvlm_web_error("benchmark: reduce is a list of spec strings");
        return NULL;
    }
    cJSON_ArrayForEach(item, red) {
        if (!cJSON_IsString(item) || reduce_count == MAX_SETTINGS) {
            vkvlm_web_error("benchmark: reduce takes up to %d spec strings", MAX_SETTINGS);
            return NULL;
        }
        /* "none" is always measured first, as the CLI does */
        if (item->valuestring[0] && strcmp(item->valuestring, "none") != 0) reduce[reduce_count++] = item->valuestring;
    }
    double repeat = req_num(req, "repeat", 3), n = req_num(req, "max_new_tokens", 1),
           prompt_tokens = req_num(req, "prompt_tokens", 0);
    if (!(repeat >= 1 && repeat <= 1000) || !(n >= 1 && n <= 4096) || !(prompt_tokens >= 0 && prompt_tokens <= 1 << 20)) {
        vkvlm_web_error("benchmark: repeat 1..1000, max_new_tokens 1..4096, prompt_tokens 0..%d", 1 << 20);
        return NULL;
    }
    const char *image = req_str(req, "image");
    if (image && prompt_tokens > 0) {
        vkvlm_web_error("benchmark: an image and prompt_tokens exclude each other (prompt_tokens is text only)");
        return NULL;
    }
    vkvlm_session_info info;
    vkvlm_session_info_get(s, &info);
    int *ids = prompt_tokens > 0 ? bench_prompt_ids((int)prompt_tokens, info.vocab_size, info.image_token_id) : NULL;
    if (prompt_tokens > 0 && !ids) {
        vkvlm_web_error("benchmark: out of memory");
        return NULL;
    }
    const char *images[] = {image};
    const char *prompt = req_str(req, "prompt");
    bench_desc d = {.input = {.images = image ? images : NULL, .image_count = image ? 1 : 0,
                              .max_new_tokens = (int)n, .prompt = ids ? NULL : prompt ? prompt : "Describe this image.",
                              .prompt_ids = ids, .prompt_id_count = ids ? (int)prompt_tokens : 0},
                    .reduce = reduce, .reduce_count = reduce_count, .repeat = (long)repeat,
                    .progress = bench_progress};
    bench_row *rows = NULL;
    int count = 0;
    vkvlm_error err = {0};
    char *text = NULL;
    if (bench_run(s, &d, &rows, &count, &err) != VKVLM_OK) {
        vkvlm_web_fail(&err);
    } else {
        const char *model = req_str(req, "model"), *source = req_str(req, "source");
        bench_model_meta meta = {.model = model ? model : vkvlm_web_model_dir(), .source = source ? source : "directory",
                                 .quant = info.quant && strcmp(info.quant, "none") != 0 ? info.quant : NULL,
                                 .repeat = (long)repeat, .new_tokens = (long)n, .prompt_tokens = (int)prompt_tokens,
                                 .image = image != NULL};
        cJSON *root = bench_model_json(&meta, s, device_json(s, req), rows, count);
        text = root ? cJSON_PrintUnformatted(root) : NULL;
        cJSON_Delete(root);
        if (!text) vkvlm_web_error("benchmark: out of memory for the result");
    }
    bench_rows_free(rows, count);
    free(ids);
    return text;
}

EMSCRIPTEN_KEEPALIVE char *vkvlm_web_benchmark(const char *request) {
    vkvlm_session *s = vkvlm_web_session();
    if (!s) {
        vkvlm_web_error("no model loaded");
        return NULL;
    }
    cJSON *req = cJSON_Parse(request ? request : "");
    char *text = NULL;
    if (!cJSON_IsObject(req)) vkvlm_web_error("benchmark: the request is not a JSON object");
    else text = run(s, req);
    cJSON_Delete(req);
    return text;
}
