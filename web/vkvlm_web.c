/* vkvlm_web.c — the C exports web/vkvlm.mjs calls: one engine per module instance, holding at most one loaded
 * session. Everything crosses as strings: requests and results are JSON (the result is exactly what
 * `vkvlm run --json` prints, through vkvlm_result_json), files live in the module's file system (the JS side
 * writes the model directory and the image into MEMFS first).
 *
 *   vkvlm_web_probe(backend)         1 when the backend ("webgpu" | "cpu") has a device; its description as
 *                                    JSON in vkvlm_web_info(), else the reason in vkvlm_web_last_error()
 *   vkvlm_web_load(dir, backend, n)  opens a session on dir (context n tokens, 0 = default); 1 or 0
 *   vkvlm_web_generate(request)      runs one prompt; a malloc'd JSON result (free it) or NULL
 *   vkvlm_web_unload()               drops the session
 *   vkvlm_web_make_tiny(dir, family) writes the random-weight tiny model of a family ("llava" | "idefics3")
 *                                    into dir, byte for byte what `vkvlm_make_tiny --family F` writes (plus
 *                                    its sample.png): the demo page's bundled model, with nothing to download
 *   vkvlm_web_benchmark(request)     `vkvlm bench -m DIR` on the loaded session (vkvlm_web_bench.c); a
 *                                    malloc'd JSON file (free it) or NULL
 *
 * Calls that reach the GPU (probe, load, generate, benchmark) wait on promises: the JS side calls them through
 * ccall with {async: true} (ASYNCIFY). Streaming and progress go out through JS library imports
 * (vkvlm_web_library.js), which also yield to the event loop so a page repaints between tokens on either
 * backend. */
#include <cjson/cJSON.h>
#include <emscripten.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/gpu.h"
#include "models/synth_model.h"
#include "vkvlm.h"
#include "vkvlm_web.h"

/* vkvlm_web_library.js */
extern int vkvlm_web_js_token(int token_id, const char *text);
extern void vkvlm_web_js_progress(const char *stage, double fraction);
extern void vkvlm_web_js_log(int level, const char *message);
/* src/gpu/webgpu/wgpu_library.js: why the last WebGPU call failed (no adapter, ...) */
extern void wgpu_js_last_error(char *out, int cap);

static vkvlm_session *session;
static char model_dir[1024];
static char last_error[VKVLM_ERROR_MESSAGE_MAX + 64];
static char *info_json;
static double progress_shown = -1.0;

static void set_info(cJSON *obj) {
    free(info_json);
    info_json = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
}

static int fail(const vkvlm_error *err) {
    snprintf(last_error, sizeof last_error, "%s: %s", vkvlm_status_text(err->status), err->message);
    return 0;
}

int vkvlm_web_fail(const vkvlm_error *err) { return fail(err); }

int vkvlm_web_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return 0;
}

vkvlm_session *vkvlm_web_session(void) { return session; }
const char *vkvlm_web_model_dir(void) { return model_dir; }

EMSCRIPTEN_KEEPALIVE const char *vkvlm_web_last_error(void) { return last_error; }
EMSCRIPTEN_KEEPALIVE const char *vkvlm_web_info(void) { return info_json ? info_json : "{}"; }

static cJSON *caps_json(const gpu_caps *c) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "backend", gpu_backend_name(c->backend));
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddStringToObject(o, "driver", c->driver_name);
    cJSON_AddStringToObject(o, "driver_info", c->driver_info);
    cJSON_AddStringToObject(o, "type", gpu_device_type_name(c->type));
    cJSON_AddBoolToObject(o, "shader_f16", c->fp16_arithmetic);
    cJSON_AddBoolToObject(o, "storage_16bit", c->storage_16bit);
    cJSON_AddNumberToObject(o, "subgroup_min_size", c->subgroup_min_size);
    cJSON_AddNumberToObject(o, "subgroup_max_size", c->subgroup_max_size);
    cJSON_AddNumberToObject(o, "max_workgroup_invocations", c->max_workgroup_invocations);
    cJSON_AddNumberToObject(o, "max_workgroup_storage_bytes", c->max_shared_bytes);
    cJSON_AddNumberToObject(o, "max_storage_buffer_binding_bytes", (double)c->max_storage_buffer_range);
    cJSON_AddNumberToObject(o, "max_buffer_bytes", (double)c->max_allocation_bytes);
    cJSON_AddNumberToObject(o, "min_storage_offset_alignment", (double)c->min_storage_offset_alignment);
    return o;
}

EMSCRIPTEN_KEEPALIVE int vkvlm_web_probe(const char *backend) {
    vkvlm_error err = {0};
    gpu_backend_kind kind;
    if (!backend || !gpu_backend_parse(backend, &kind) || kind == GPU_BACKEND_VULKAN) {
        snprintf(last_error, sizeof last_error, "backend '%s': expected webgpu or cpu", backend ? backend : "");
        return 0;
    }
    gpu_context *ctx = NULL;
    int index = -1;
    if (gpu_context_create(NULL, &ctx, &err) != VKVLM_OK) return fail(&err);
    if (gpu_context_select(ctx, kind, NULL, &index, &err) != VKVLM_OK) {
        fail(&err);
        if (kind == GPU_BACKEND_WEBGPU) {
            char why[512];
            wgpu_js_last_error(why, (int)sizeof why);
            if (why[0]) snprintf(last_error, sizeof last_error, "WebGPU is unavailable: %s", why);
        }
        gpu_context_destroy(ctx);
        return 0;
    }
    set_info(caps_json(&gpu_context_device(ctx, index)->caps));
    gpu_context_destroy(ctx);
    return 1;
}

static void web_log(void *user, vkvlm_log_level level, const char *message) {
    (void)user;
    vkvlm_web_js_log((int)level, message);
}

/* Shown at most every 2 %, so the page gets a frame per step without one yield per tensor. */
static void web_progress(void *user, const char *stage, double fraction) {
    (void)user;
    if (fraction < 1.0 && progress_shown >= 0 && fraction - progress_shown < 0.02) return;
    progress_shown = fraction;
    vkvlm_web_js_progress(stage, fraction);
}

EMSCRIPTEN_KEEPALIVE void vkvlm_web_unload(void) {
    vkvlm_session_destroy(session);
    session = NULL;
}

EMSCRIPTEN_KEEPALIVE int vkvlm_web_load(const char *dir, const char *backend, int context_length) {
    vkvlm_web_unload();
    snprintf(model_dir, sizeof model_dir, "%s", dir ? dir : "");
    vkvlm_session_desc sd = {.model_dir = model_dir,
                             .backend = backend && backend[0] ? backend : NULL,
                             .context_length = context_length > 0 ? (unsigned)context_length : 0,
                             .logger = {.fn = web_log, .max_level = VKVLM_LOG_WARN},
                             .progress = web_progress};
    vkvlm_error err = {0};
    progress_shown = -1.0;
    if (vkvlm_session_create(&sd, &session, &err) != VKVLM_OK) {
        session = NULL;
        return fail(&err);
    }
    vkvlm_session_info info;
    vkvlm_session_info_get(session, &info);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model_type", info.model_type);
    cJSON_AddStringToObject(o, "backend", info.backend);
    cJSON_AddStringToObject(o, "device", info.device_name);
    cJSON_AddStringToObject(o, "driver", info.driver);
    cJSON_AddNumberToObject(o, "context_length", info.context_length);
    cJSON_AddNumberToObject(o, "image_tokens", info.image_tokens);
    cJSON_AddNumberToObject(o, "vocab_size", info.vocab_size);
    cJSON_AddNumberToObject(o, "image_token_id", info.image_token_id);
    cJSON_AddNumberToObject(o, "weight_bytes", (double)info.weight_bytes);
    cJSON_AddNumberToObject(o, "planned_bytes", (double)info.planned_bytes);
    set_info(o);
    return 1;
}

EMSCRIPTEN_KEEPALIVE int vkvlm_web_make_tiny(const char *dir, const char *family) {
    vkvlm_error err = {0};
    synth_model_desc d = {.dir = dir, .family = family && family[0] ? family : "llava", .seed = 1};
    if (synth_model_write(&d, NULL, 0, &err) != VKVLM_OK) return fail(&err);
    return 1;
}

static int web_token(void *user, int token_id, const char *text) {
    (void)user;
    return vkvlm_web_js_token(token_id, text ? text : "");
}

static double num(const cJSON *req, const char *key, double fallback) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);
    return cJSON_IsNumber(v) ? v->valuedouble : cJSON_IsBool(v) ? (cJSON_IsTrue(v) ? 1 : 0) : fallback;
}

static const char *str(const cJSON *req, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* request: {"prompt" | "raw_prompt", "image" (a path in the module's file system), "max_tokens",
 * "temperature", "top_k", "top_p", "repetition_penalty", "seed", "ignore_eos", "reduce": "spec" or
 * ["spec", ...] (as --reduce), "stream": bool}. */
EMSCRIPTEN_KEEPALIVE char *vkvlm_web_generate(const char *request) {
    if (!session) {
        snprintf(last_error, sizeof last_error, "no model loaded");
        return NULL;
    }
    cJSON *req = cJSON_Parse(request ? request : "");
    if (!cJSON_IsObject(req)) {
        cJSON_Delete(req);
        snprintf(last_error, sizeof last_error, "generate: the request is not a JSON object");
        return NULL;
    }
    const char *reduce[8];
    int reduce_count = 0;
    const cJSON *red = cJSON_GetObjectItemCaseSensitive(req, "reduce");
    if (cJSON_IsString(red) && red->valuestring[0]) {
        reduce[reduce_count++] = red->valuestring;
    } else if (cJSON_IsArray(red)) {
        const cJSON *item;
        cJSON_ArrayForEach(item, red) {
            if (!cJSON_IsString(item) || reduce_count == 8) {
                cJSON_Delete(req);
                snprintf(last_error, sizeof last_error, "generate: reduce takes up to 8 spec strings");
                return NULL;
            }
            reduce[reduce_count++] = item->valuestring;
        }
    }
    const char *image = str(req, "image");
    const char *images[1] = {image};
    vkvlm_generate_desc g = {.prompt = str(req, "prompt"),
                             .raw_prompt = str(req, "raw_prompt"),
                             .images = images,
                             .image_count = image ? 1 : 0,
                             .max_new_tokens = (int)num(req, "max_tokens", 0),
                             .temperature = (float)num(req, "temperature", 0),
                             .top_k = (int)num(req, "top_k", 0),
                             .top_p = (float)num(req, "top_p", 0),
                             .repetition_penalty = (float)num(req, "repetition_penalty", 0),
                             .seed = (unsigned long long)num(req, "seed", 0),
                             .ignore_eos = num(req, "ignore_eos", 0) != 0,
                             .reduce = reduce,
                             .reduce_count = reduce_count,
                             .on_token = num(req, "stream", 0) != 0 ? web_token : NULL};
    vkvlm_result r;
    vkvlm_error err = {0};
    char *json = NULL;
    if (vkvlm_session_generate(session, &g, &r, &err) != VKVLM_OK) {
        fail(&err);
    } else {
        vkvlm_session_info info;
        vkvlm_session_info_get(session, &info);
        json = vkvlm_result_json(&r, &info, model_dir);
        if (!json) snprintf(last_error, sizeof last_error, "generate: out of memory for the result");
        vkvlm_result_free(&r);
    }
    cJSON_Delete(req);
    return json;
}
