/* result_json.c — vkvlm_result_json: a generation result as the JSON object `vkvlm run --json` prints
 * (CLI.md is the contract); shared by the CLI and the web build (web/vkvlm_web.c). */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "vkvlm.h"

static cJSON *int_array(const int *values, int n) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(values[i]));
    return a;
}

char *vkvlm_result_json(const vkvlm_result *r, const vkvlm_session_info *info, const char *model_dir) {
    cJSON *root = cJSON_CreateObject();
    cJSON *model = cJSON_AddObjectToObject(root, "model");
    cJSON_AddStringToObject(model, "dir", model_dir ? model_dir : "");
    cJSON_AddStringToObject(model, "model_type", info->model_type);
    cJSON_AddNumberToObject(model, "vocab_size", info->vocab_size);
    cJSON_AddNumberToObject(model, "image_tokens", info->image_tokens);
    cJSON_AddNumberToObject(model, "context_length", info->context_length);
    cJSON_AddNumberToObject(model, "weight_bytes", (double)info->weight_bytes);
    cJSON *quant = cJSON_AddObjectToObject(model, "quant");
    cJSON_AddStringToObject(quant, "format", info->quant ? info->quant : "none");
    cJSON_AddNumberToObject(quant, "tensors", info->quantized_tensors);
    cJSON_AddNumberToObject(quant, "cache_hits", info->quant_cache_hits);
    cJSON_AddNumberToObject(quant, "quantize_ms", info->quantize_ms);
    cJSON *device = cJSON_AddObjectToObject(root, "device");
    cJSON_AddStringToObject(device, "backend", info->backend);
    cJSON_AddStringToObject(device, "name", info->device_name);
    cJSON_AddStringToObject(device, "driver", info->driver);
    cJSON_AddNumberToObject(device, "planned_bytes", (double)info->planned_bytes);
    cJSON_AddNumberToObject(device, "peak_bytes", (double)info->peak_bytes);
    cJSON_AddItemToObject(root, "prompt_tokens", int_array(r->prompt_tokens, r->prompt_count));
    cJSON_AddItemToObject(root, "tokens", int_array(r->tokens, r->token_count));
    cJSON_AddStringToObject(root, "text", r->text);
    cJSON *reduction = cJSON_AddArrayToObject(root, "reduction");
    for (int i = 0; i < r->reduction_count; i++) {
        const vkvlm_reduction *red = &r->reductions[i];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "method", red->method);
        cJSON_AddNumberToObject(item, "layer", red->layer);
        if (red->layer_count) { /* a method that acts in several layers: one entry per merge layer */
            cJSON *layers = cJSON_AddArrayToObject(item, "layers");
            for (int l = 0; l < red->layer_count; l++) {
                const vkvlm_reduction_layer *L = &red->layers[l];
                cJSON *entry = cJSON_CreateObject();
                cJSON_AddNumberToObject(entry, "layer", L->layer);
                cJSON_AddItemToObject(entry, "kept", int_array(L->kept, L->kept_count));
                cJSON_AddItemToObject(entry, "discarded", int_array(L->discarded, L->discarded_count));
                cJSON *targets = cJSON_AddArrayToObject(entry, "targets");
                cJSON *alpha = cJSON_AddArrayToObject(entry, "alpha");
                for (int d = 0; d < L->discarded_count; d++) {
                    int k = L->targets_per_token;
                    cJSON_AddItemToArray(targets, int_array(L->targets + (size_t)d * k, k));
                    cJSON *row = cJSON_CreateArray();
                    for (int j = 0; j < k; j++) cJSON_AddItemToArray(row, cJSON_CreateNumber(L->alpha[(size_t)d * k + j]));
                    cJSON_AddItemToArray(alpha, row);
                }
                cJSON *sc = cJSON_AddArrayToObject(entry, "scores");
                for (int j = 0; j < L->score_count; j++) cJSON_AddItemToArray(sc, cJSON_CreateNumber(L->scores[j]));
                cJSON_AddItemToArray(layers, entry);
            }
            if (red->kept_count) cJSON_AddItemToObject(item, "kept_positions", int_array(red->kept_positions, red->kept_count));
            cJSON_AddItemToArray(reduction, item);
            continue;
        }
        if (strcmp(red->method, "proxyv") == 0) { /* nothing removed: the start layer and the proxies */
            cJSON_AddNumberToObject(item, "start_layer", red->layer);
            cJSON_AddNumberToObject(item, "proxies", red->kept_count);
            cJSON_AddItemToObject(item, "proxy_positions", int_array(red->kept_positions, red->kept_count));
            cJSON_AddItemToArray(reduction, item);
            continue;
        }
        cJSON *scores = cJSON_AddArrayToObject(item, "scores");
        for (int j = 0; j < red->score_count; j++) cJSON_AddItemToArray(scores, cJSON_CreateNumber(red->scores[j]));
        cJSON_AddItemToObject(item, "kept_positions", int_array(red->kept_positions, red->kept_count));
        cJSON_AddItemToArray(reduction, item);
    }
    cJSON *flops = cJSON_AddObjectToObject(root, "flops");
    cJSON_AddNumberToObject(flops, "baseline", r->flops_baseline);
    cJSON_AddNumberToObject(flops, "actual", r->flops_actual);
    cJSON *vision = cJSON_AddObjectToObject(flops, "vision");
    cJSON_AddNumberToObject(vision, "baseline", r->flops_vision_baseline);
    cJSON_AddNumberToObject(vision, "actual", r->flops_vision_actual);
    cJSON *llm = cJSON_AddObjectToObject(flops, "llm");
    cJSON_AddNumberToObject(llm, "baseline", r->flops_llm_baseline);
    cJSON_AddNumberToObject(llm, "actual", r->flops_llm_actual);
    cJSON *t = cJSON_AddObjectToObject(root, "timings_ms");
    cJSON_AddNumberToObject(t, "load", r->timings_ms.load);
    cJSON_AddNumberToObject(t, "preprocess", r->timings_ms.preprocess);
    cJSON_AddNumberToObject(t, "vision", r->timings_ms.vision);
    cJSON_AddNumberToObject(t, "prefill", r->timings_ms.prefill);
    cJSON_AddNumberToObject(t, "decode", r->timings_ms.decode);
    cJSON_AddNumberToObject(root, "decode_tokens_per_s", r->decode_tokens_per_s);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}
