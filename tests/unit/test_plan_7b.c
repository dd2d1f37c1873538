/* test_plan_7b.c — a LLaVA-1.5-7B-shaped model under the mobile profile, planned and never allocated: the
 * checkpoint is the real tensor list of llava-hf/llava-1.5-7b-hf (every name, shape and F16 dtype, 32 decoder
 * and 24 vision layers) in a sparse safetensors file, whose 14 GB of data are a hole, so nothing is written
 * or read but the header. It proves
 *   - the session's memory plan walks the whole 7B shape (a missing or misshaped tensor would fail with a
 *     format error first) and refuses it on lavapipe's 2 GiB before allocating, naming the sizes;
 *   - under --limits mobile (128 MiB bindings) the weight view the load pass uses splits every tensor above
 *     128 MiB — the 32064 x 4096 embedding table and lm_head, 250.5 MiB each — into row ranges of at most
 *     128 MiB that cover every row, and leaves every smaller tensor in one binding.
 * The 7B shape is only ever planned here: at full depth it would need 14 GB of device memory. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/status.h"
#include "gpu/ops.h"
#include "gpu_test.h"
#include "io/safetensors.h"
#include "models/synth_model.h"

/* LLaVA-1.5-7B: Vicuna-7B (hidden 4096, MLP 11008, 32 layers, vocab 32064) + CLIP ViT-L/14-336. */
enum { D = 4096, FF = 11008, LAYERS = 32, VOCAB = 32064, DV = 1024, FFV = 4096, VLAYERS = 24, PATCH = 14, TOKENS = 577 };

typedef struct header {
    cJSON *root;
    uint64_t offset; /* bytes of data so far */
} header;

static void tensor(header *h, const char *name, int ndim, const int64_t *shape) {
    uint64_t numel = 1;
    cJSON *dims = cJSON_CreateArray();
    for (int d = 0; d < ndim; d++) {
        numel *= (uint64_t)shape[d];
        cJSON_AddItemToArray(dims, cJSON_CreateNumber((double)shape[d]));
    }
    cJSON *t = cJSON_AddObjectToObject(h->root, name);
    cJSON_AddStringToObject(t, "dtype", "F16");
    cJSON_AddItemToObject(t, "shape", dims);
    cJSON *off = cJSON_AddArrayToObject(t, "data_offsets");
    cJSON_AddItemToArray(off, cJSON_CreateNumber((double)h->offset));
    h->offset += numel * 2;
    cJSON_AddItemToArray(off, cJSON_CreateNumber((double)h->offset));
}

/* tensor() with a printf-formatted name. */
static void tensorf(header *h, int ndim, const int64_t *shape, const char *fmt, ...) VKVLM_PRINTF(4, 5);
static void tensorf(header *h, int ndim, const int64_t *shape, const char *fmt, ...) {
    char name[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    tensor(h, name, ndim, shape);
}

/* The llava-hf names (transformers < 4.52), as the Hub checkpoint has them. */
static void llava_7b_tensors(header *h) {
    const char *v = "vision_tower.vision_model";
    tensorf(h, VKVLM_SHAPE(DV, 3, PATCH, PATCH), "%s.embeddings.patch_embedding.weight", v);
    tensorf(h, VKVLM_SHAPE(TOKENS, DV), "%s.embeddings.position_embedding.weight", v);
    tensorf(h, VKVLM_SHAPE(DV), "%s.embeddings.class_embedding", v);
    const char *vec[] = {"pre_layrnorm.weight", "pre_layrnorm.bias", "post_layernorm.weight", "post_layernorm.bias"};
    for (int j = 0; j < 4; j++) tensorf(h, VKVLM_SHAPE(DV), "%s.%s", v, vec[j]);
    for (int i = 0; i < VLAYERS; i++) {
        const char *proj[] = {"q_proj", "k_proj", "v_proj", "out_proj"};
        for (int j = 0; j < 4; j++) {
            tensorf(h, VKVLM_SHAPE(DV, DV), "%s.encoder.layers.%d.self_attn.%s.weight", v, i, proj[j]);
            tensorf(h, VKVLM_SHAPE(DV), "%s.encoder.layers.%d.self_attn.%s.bias", v, i, proj[j]);
        }
        tensorf(h, VKVLM_SHAPE(FFV, DV), "%s.encoder.layers.%d.mlp.fc1.weight", v, i);
        tensorf(h, VKVLM_SHAPE(FFV), "%s.encoder.layers.%d.mlp.fc1.bias", v, i);
        tensorf(h, VKVLM_SHAPE(DV, FFV), "%s.encoder.layers.%d.mlp.fc2.weight", v, i);
        tensorf(h, VKVLM_SHAPE(DV), "%s.encoder.layers.%d.mlp.fc2.bias", v, i);
        const char *norms[] = {"layer_norm1.weight", "layer_norm1.bias", "layer_norm2.weight", "layer_norm2.bias"};
        for (int j = 0; j < 4; j++) tensorf(h, VKVLM_SHAPE(DV), "%s.encoder.layers.%d.%s", v, i, norms[j]);
    }
    tensorf(h, VKVLM_SHAPE(D, DV), "multi_modal_projector.linear_1.weight");
    tensorf(h, VKVLM_SHAPE(D), "multi_modal_projector.linear_1.bias");
    tensorf(h, VKVLM_SHAPE(D, D), "multi_modal_projector.linear_2.weight");
    tensorf(h, VKVLM_SHAPE(D), "multi_modal_projector.linear_2.bias");
    tensorf(h, VKVLM_SHAPE(VOCAB, D), "language_model.model.embed_tokens.weight");
    for (int i = 0; i < LAYERS; i++) {
        const char *attn[] = {"q_proj", "k_proj", "v_proj", "o_proj"};
        for (int j = 0; j < 4; j++)
            tensorf(h, VKVLM_SHAPE(D, D), "language_model.model.layers.%d.self_attn.%s.weight", i, attn[j]);
        tensorf(h, VKVLM_SHAPE(FF, D), "language_model.model.layers.%d.mlp.gate_proj.weight", i);
        tensorf(h, VKVLM_SHAPE(FF, D), "language_model.model.layers.%d.mlp.up_proj.weight", i);
        tensorf(h, VKVLM_SHAPE(D, FF), "language_model.model.layers.%d.mlp.down_proj.weight", i);
        tensorf(h, VKVLM_SHAPE(D), "language_model.model.layers.%d.input_layernorm.weight", i);
        tensorf(h, VKVLM_SHAPE(D), "language_model.model.layers.%d.post_attention_layernorm.weight", i);
    }
    tensorf(h, VKVLM_SHAPE(D), "language_model.model.norm.weight");
    tensorf(h, VKVLM_SHAPE(VOCAB, D), "language_model.lm_head.weight");
}

/* Writes the header and extends the file to its full size without writing the data (a sparse file). */
static bool write_sparse_checkpoint(const char *path) {
    header h = {.root = cJSON_CreateObject()};
    cJSON *meta = cJSON_AddObjectToObject(h.root, "__metadata__");
    cJSON_AddStringToObject(meta, "format", "pt");
    llava_7b_tensors(&h);
    char *json = cJSON_PrintUnformatted(h.root);
    cJSON_Delete(h.root);
    if (!json) return false;
    size_t len = strlen(json), padded = (len + 7) / 8 * 8;
    uint8_t prefix[8];
    for (int i = 0; i < 8; i++) prefix[i] = (uint8_t)((uint64_t)padded >> (8 * i));
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    bool ok = fd >= 0 && write(fd, prefix, 8) == 8 && write(fd, json, len) == (ssize_t)len;
    for (size_t i = len; ok && i < padded; i++) ok = write(fd, " ", 1) == 1;
    ok = ok && ftruncate(fd, (off_t)(8 + padded + h.offset)) == 0;
    if (fd >= 0) ok = close(fd) == 0 && ok;
    free(json);
    return ok;
}

/* llava-1.5-7b-hf's config.json (sparse, as on the Hub), with the image and pad token ids of the tiny
 * tokenizer the directory borrows. */
static const char config_7b[] =
    "{\"architectures\":[\"LlavaForConditionalGeneration\"],\"ignore_index\":-100,\"image_token_index\":356,"
    "\"model_type\":\"llava\",\"pad_token_id\":357,\"projector_hidden_act\":\"gelu\",\"text_config\":{"
    "\"architectures\":[\"LlamaForCausalLM\"],\"max_position_embeddings\":4096,\"model_type\":\"llama\","
    "\"rms_norm_eps\":1e-05,\"torch_dtype\":\"float16\",\"vocab_size\":32064},\"tie_word_embeddings\":false,"
    "\"torch_dtype\":\"float16\",\"vision_config\":{\"hidden_size\":1024,\"image_size\":336,\"intermediate_size\":4096,"
    "\"model_type\":\"clip_vision_model\",\"num_attention_heads\":16,\"num_hidden_layers\":24,\"patch_size\":14,"
    "\"projection_dim\":768,\"vocab_size\":32000},\"vision_feature_layer\":-2,\"vision_feature_select_strategy\":"
    "\"default\",\"vocab_size\":32064}";

/* A model directory: the tiny LLaVA's tokenizer and processor files, the 7B config and the sparse weights. */
static bool make_model_dir(char *dir, size_t cap) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, cap, "%s/vkvlm-plan7b-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) return false;
    vkvlm_error err = {0};
    synth_model_desc desc = {.dir = dir, .family = "llava"};
    if (synth_model_write(&desc, NULL, 0, &err) != VKVLM_OK) {
        fprintf(stderr, "tiny model: %s\n", err.message);
        return false;
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    bool ok = f && fputs(config_7b, f) >= 0;
    if (f) ok = fclose(f) == 0 && ok;
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    return ok && write_sparse_checkpoint(path);
}

static void remove_model_dir(const char *dir) {
    const char *files[] = {"chat_template.json", "config.json", "generation_config.json", "model.safetensors",
                           "preprocessor_config.json", "processor_config.json", "sample.png",
                           "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"};
    char path[1200];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* The session plans the whole 7B shape and refuses it on a 2 GiB device, before any allocation. */
static void check_plan_refused(const char *dir) {
    vkvlm_session_desc desc = {.model_dir = dir, .backend = "vulkan", .context_length = 2048};
    vkvlm_session *s = NULL;
    vkvlm_error err = {0};
    const char *saved = getenv("VKVLM_LIMITS");
    char *restore = saved ? strdup(saved) : NULL;
    setenv("VKVLM_LIMITS", "mobile", 1);
    vkvlm_status st = vkvlm_session_create(&desc, &s, &err);
    if (restore) setenv("VKVLM_LIMITS", restore, 1);
    else unsetenv("VKVLM_LIMITS");
    free(restore);
    vkvlm_session_destroy(s);
    TEST_CHECK_MSG(st == VKVLM_ERR_OUT_OF_MEMORY, "status %d: %s", (int)st, err.message);
    fprintf(stderr, "plan (as refused): %s\n", err.message);
    /* weights: 7.06e9 parameters in f16 less the host-side embedding table and the unused last vision layer */
    const char *w = strstr(err.message, "(weights ");
    double gib = 0;
    TEST_CHECK_MSG(w && sscanf(w, "(weights %lf GiB", &gib) == 1 && gib > 12.0 && gib < 13.5, "%s", err.message);
    TEST_CHECK_MSG(strstr(err.message, "KV cache for 2048 tokens") != NULL, "%s", err.message);
}

/* Every F16 matrix of the checkpoint viewed as the loader views a linear weight (rows = first dim), on the
 * mobile-limited lavapipe: the split rule, tensor by tensor. */
static void check_splits(const char *dir) {
    gpu_context_desc desc = {.logger = {.fn = gpu_test_log, .max_level = VKVLM_LOG_WARN}, .validation = 1,
                             .limits = "mobile", .quirks = ""};
    gpu_context *ctx = NULL;
    gpu_device *dev = NULL;
    gpu_buffer *buf = NULL;
    vkvlm_checkpoint ck = {0};
    vkvlm_error err = {0};
    int index = -1;
    uint64_t largest = gpu_weight_bytes(GPU_WEIGHT_F16, (uint64_t)VOCAB * D);
    /* One buffer as large as the largest tensor, viewed from offset 0 for each: creating it touches no page
     * on lavapipe, and it is never written. */
    bool ready = vkvlm_checkpoint_open(&ck, dir, &err) == VKVLM_OK && gpu_context_create(&desc, &ctx, &err) == VKVLM_OK &&
                 gpu_context_select(ctx, GPU_BACKEND_VULKAN, NULL, &index, &err) == VKVLM_OK &&
                 gpu_device_create(ctx, index, &(gpu_device_desc){.cache_dir = ""}, &dev, &err) == VKVLM_OK &&
                 gpu_buffer_create(dev, &(gpu_buffer_desc){.size = largest, .label = "lm_head-sized"}, &buf, &err) ==
                     VKVLM_OK;
    TEST_CHECK_MSG(ready, "setup: %s", err.message);
    if (ready) {
        const gpu_caps *caps = gpu_device_caps(dev);
        const uint64_t limit = UINT64_C(128) << 20;
        TEST_CHECK_INT(caps->max_storage_buffer_range, limit);
        int matrices = 0, split = 0;
        for (size_t s = 0; s < ck.n_shards; s++) {
            for (size_t i = 0; i < ck.shards[s].n_tensors; i++) {
                const vkvlm_safetensors_tensor *t = &ck.shards[s].tensors[i];
                if (t->ndim < 2 || t->dtype != VKVLM_SAFETENSORS_F16) continue;
                uint32_t n = (uint32_t)t->shape[0], k = (uint32_t)(t->numel / (uint64_t)n);
                gpu_weight view;
                vkvlm_error_clear(&err);
                if (gpu_weight_view(&view, caps, buf, 0, GPU_WEIGHT_F16, n, k, 0, &err) != VKVLM_OK) {
                    TEST_CHECK_MSG(0, "%s [%u, %u]: %s", t->name, n, k, err.message);
                    continue;
                }
                matrices++;
                uint32_t rows = 0;
                uint64_t biggest = 0;
                for (uint32_t c = 0; c < view.chunk_count; c++) {
                    rows += view.chunks[c].rows;
                    if (view.chunks[c].binding.size > biggest) biggest = view.chunks[c].binding.size;
                }
                TEST_CHECK_MSG(rows == n, "%s: chunks cover %u of %u rows", t->name, rows, n);
                TEST_CHECK_MSG(biggest <= limit, "%s: a %llu-byte binding", t->name, (unsigned long long)biggest);
                if (t->nbytes > limit) {
                    split++;
                    TEST_CHECK_MSG(view.chunk_count > 1, "%s (%zu bytes) in one binding", t->name, t->nbytes);
                } else {
                    TEST_CHECK_MSG(view.chunk_count == 1, "%s (%zu bytes) split in %u", t->name, t->nbytes,
                                   view.chunk_count);
                }
            }
        }
        fprintf(stderr, "%d F16 matrices viewed under mobile, %d split over bindings of at most 128 MiB\n", matrices, split);
        TEST_CHECK_INT(split, 2); /* embed_tokens and lm_head; the largest others are the 86 MiB MLP matrices */
        /* patch and position embeddings, 6 per vision layer, the projector, embed_tokens, 7 per decoder layer, lm_head */
        TEST_CHECK_INT(matrices, 2 + VLAYERS * 6 + 2 + 1 + LAYERS * 7 + 1);
    }
    gpu_buffer_destroy(buf);
    gpu_device_destroy(dev);
    if (ctx) gpu_test_check_validation(ctx);
    gpu_context_destroy(ctx);
    vkvlm_checkpoint_close(&ck);
}

static void test_llava_7b_under_mobile(void) {
    gpu_context *probe = gpu_test_context();
    bool vulkan = probe && gpu_test_require_vulkan(probe);
    gpu_context_destroy(probe);
    if (!vulkan) return;
    char dir[1024];
    bool made = make_model_dir(dir, sizeof dir);
    TEST_CHECK_MSG(made, "cannot write the sparse 7B checkpoint under %s", dir);
    if (made) {
        check_plan_refused(dir);
        check_splits(dir);
    }
    remove_model_dir(dir);
}

int main(void) {
    TEST_RUN(test_llava_7b_under_mobile);
    return test_finish();
}
