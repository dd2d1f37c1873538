/* session.c — the public session API of vkvlm.h: load a model directory onto a device once (plan, then
 * allocate), then run prompts: tokenize and preprocess, encode the image, prefill the prompt with the image
 * features merged, and decode token by token, reading back only the logits row sampling needs.
 *
 * Stages each go into one command and one submit: the vision tower + projector, each prefill chunk (the
 * whole prompt when it fits one chunk), each decode step. Timings are host wall clock around those
 * submits. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/status.h"
#include "engine/dump.h"
#include "engine/profile.h"
#include "engine/session_internal.h"
#include "gpu/quant.h"
#include "engine/sampler.h"
#include "io/chat_template.h"
#include "io/preprocess.h"
#include "io/tokenizer.h"
#include "models/idefics3.h"
#include "models/llava.h"
#include "reduce/reduce.h"

struct vkvlm_session {
    gpu_context *ctx;
    gpu_device *dev;
    vkvlm_checkpoint ck;
    vkvlm_checkpoint tower_ck;     /* llava_llama: the mm_vision_tower folder's weights (if it has any) */
    bool have_tower_ck;
    vkvlm_config cfg;
    vkvlm_tokenizer *tok;
    vkvlm_preprocess_config pp;
    vkvlm_config_family family;    /* LLAVA, LLAVA_LLAMA (llava_model) or IDEFICS3: which model below is loaded */
    llava_model llava;
    idefics3_model idefics3;
    uint32_t tiles;                /* tiles of the current prompt's image (Idefics3; LLaVA: 1) */
    vkvlm_chat_image grid;         /* the current image's tile grid (rows x cols; 0 x 0 unsplit) */
    reduce_state reduce;           /* scratch for token reduction, planned with the model */
    uint64_t weight_bytes, planned_bytes;
    double load_ms;
    const char *quant; /* "none" | "q8_0" | "q4_0" */
    int quantized_tensors, quant_cache_hits;
    double quantize_ms;
    char backend[16], device_name[256], driver[512];
};

/* The parts every family has, from whichever model is loaded. */
static llama_model *text_model(vkvlm_session *s) { return s->family == VKVLM_CONFIG_IDEFICS3 ? &s->idefics3.text : &s->llava.text; }
static gpu_buffer *image_embeds(const vkvlm_session *s) {
    return s->family == VKVLM_CONFIG_IDEFICS3 ? s->idefics3.image_embeds : s->llava.image_embeds;
}
/* Image tokens per image (LLaVA) or per tile (Idefics3). */
static uint32_t tile_tokens(const vkvlm_session *s) {
    return s->family == VKVLM_CONFIG_IDEFICS3 ? s->idefics3.tile_tokens : s->llava.image_tokens;
}

/* Tiles an image can become: the splitting grid (longest edge over the tile side, squared) + the global image. */
static uint32_t max_tiles(const vkvlm_preprocess_config *pp) {
    if (pp->kind != VKVLM_PREPROCESS_IDEFICS3 || !pp->do_image_splitting || pp->max_image_size <= 0) return 1;
    uint32_t n = (uint32_t)((pp->longest_edge + pp->max_image_size - 1) / pp->max_image_size);
    return n * n + 1;
}

static vkvlm_status load_model(vkvlm_session *s, model_loader *l, llava_model *lm, idefics3_model *im, reduce_state *red,
                               unsigned capacity, vkvlm_error *err) {
    vkvlm_status st;
    if (s->family == VKVLM_CONFIG_IDEFICS3) {
        st = idefics3_load(im, l, &s->cfg, capacity, max_tiles(&s->pp), err);
        if (st == VKVLM_OK) st = reduce_state_load(red, l, &im->text, NULL, err);
    } else {
        st = llava_load(lm, l, &s->cfg, s->have_tower_ck ? &s->tower_ck : NULL, capacity, err);
        if (st == VKVLM_OK) st = reduce_state_load(red, l, &lm->text, &lm->vision, err);
        if (st == VKVLM_OK) reduce_state_set_proxyv(red, lm->proxyv.loaded ? &lm->proxyv : NULL);
    }
    return st;
}

/* llava_llama: the image processor and (optionally) the weights come from the mm_vision_tower folder, which
 * the config loader found (vision_config_path is its config.json). LLaVA's "pad" aspect mode pads to a square
 * first. The folder's weights are needed only when the checkpoint holds no tower copy, so a folder without
 * safetensors is no error here. */
static vkvlm_status open_tower(vkvlm_session *s, vkvlm_error *err) {
    const vkvlm_config_llava_llama *o = &s->cfg.llava_llama;
    if (!o->vision_config_path[0])
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "config.json: mm_vision_tower '%s' is no local folder with a "
                               "config.json (Hub ids are not downloaded; put the tower next to the checkpoint)",
                               o->mm_vision_tower);
    char tower[VKVLM_CONFIG_PATH_MAX];
    snprintf(tower, sizeof tower, "%s", o->vision_config_path);
    char *slash = strrchr(tower, '/');
    if (slash) *slash = '\0';
    else snprintf(tower, sizeof tower, ".");
    vkvlm_status st = vkvlm_preprocess_config_load(&s->pp, tower, err);
    if (st == VKVLM_OK && strcmp(o->image_aspect_ratio, "pad") == 0) vkvlm_preprocess_config_set_pad_to_square(&s->pp);
    if (st == VKVLM_OK) {
        vkvlm_error ignored = {0};
        s->have_tower_ck = vkvlm_checkpoint_open(&s->tower_ck, tower, &ignored) == VKVLM_OK;
    }
    return st;
}

static void load_progress(void *user, double fraction) {
    const vkvlm_session_desc *d = user;
    d->progress(d->progress_user, "loading weights", fraction);
}

static vkvlm_status open_device(vkvlm_session *s, const vkvlm_session_desc *d, vkvlm_error *err) {
    gpu_backend_kind kind = GPU_BACKEND_DEFAULT;
    if (d->backend && !gpu_backend_parse(d->backend, &kind))
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--backend %s: expected vulkan or cpu", d->backend);
    gpu_context_desc cd = {.logger = d->logger};
    vkvlm_status st = gpu_context_create(&cd, &s->ctx, err);
    int index = -1;
    const char *device = d->device ? d->device : getenv("VKVLM_DEVICE");
    if (st == VKVLM_OK) st = gpu_context_select(s->ctx, kind, device, &index, err);
    if (st == VKVLM_OK) st = gpu_device_create(s->ctx, index, NULL, &s->dev, err);
    if (st != VKVLM_OK) return st;
    const gpu_caps *caps = gpu_device_caps(s->dev);
    snprintf(s->backend, sizeof s->backend, "%s", gpu_backend_name(caps->backend));
    snprintf(s->device_name, sizeof s->device_name, "%s", caps->name);
    snprintf(s->driver, sizeof s->driver, "%s %s", caps->driver_name, caps->driver_info);
    return VKVLM_OK;
}

/* "13.21 GiB" or "27.4 MiB": sizes in messages, readable for tiny and 7B models alike. */
typedef struct size_text {
    char s[32];
} size_text;
static size_text human(uint64_t bytes) {
    size_text t;
    if (bytes >= (UINT64_C(1) << 30)) snprintf(t.s, sizeof t.s, "%.2f GiB", bytes / (double)(UINT64_C(1) << 30));
    else snprintf(t.s, sizeof t.s, "%.1f MiB", bytes / (double)(UINT64_C(1) << 20));
    return t;
}

vkvlm_status vkvlm_session_create(const vkvlm_session_desc *desc, vkvlm_session **out, vkvlm_error *err) {
    *out = NULL;
    double t0 = vkvlm_now_ms();
    if (!desc || !desc->model_dir) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "no model directory given (-m DIR)");
    gpu_weight_dtype quant = GPU_WEIGHT_F32; /* none */
    if (desc->quant && strcmp(desc->quant, "q8_0") == 0) quant = GPU_WEIGHT_Q8_0;
    else if (desc->quant && strcmp(desc->quant, "q4_0") == 0) quant = GPU_WEIGHT_Q4_0;
    else if (desc->quant && strcmp(desc->quant, "none") != 0)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--quant %s: expected q8_0, q4_0 or none", desc->quant);
    vkvlm_session *s = calloc(1, sizeof *s);
    if (!s) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "session: out of host memory");
    const char *dir = desc->model_dir;
    vkvlm_status st = vkvlm_config_load(&s->cfg, dir, err);
    s->family = s->cfg.family;
    if (st == VKVLM_OK && s->family != VKVLM_CONFIG_LLAVA && s->family != VKVLM_CONFIG_IDEFICS3 &&
        s->family != VKVLM_CONFIG_LLAVA_LLAMA)
        st = vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                             "%s: model_type '%s' loads, but only llava, llava_llama and idefics3 run end to end so far",
                             dir, s->cfg.model_type);
    if (st == VKVLM_OK) st = vkvlm_checkpoint_open(&s->ck, dir, err);
    if (st == VKVLM_OK) st = vkvlm_tokenizer_create_from_dir(dir, &s->tok, err);
    if (st == VKVLM_OK && s->family == VKVLM_CONFIG_LLAVA_LLAMA) st = open_tower(s, err);
    else if (st == VKVLM_OK) st = vkvlm_preprocess_config_load(&s->pp, dir, err);
    if (st == VKVLM_OK) st = open_device(s, desc, err);

    unsigned capacity = desc->context_length;
    if (!capacity) capacity = s->cfg.text.max_position_embeddings < 2048 ? (unsigned)s->cfg.text.max_position_embeddings : 2048;
    if (st == VKVLM_OK && (int)capacity > s->cfg.text.max_position_embeddings)
        st = vkvlm_error_set(err, VKVLM_ERR_USAGE, "--ctx %u exceeds the model's max_position_embeddings %d", capacity,
                             s->cfg.text.max_position_embeddings);

    /* the memory plan: the same load code, counting bytes only */
    if (st == VKVLM_OK) {
        model_loader plan = {.ck = &s->ck, .plan_only = true, .quant = quant};
        llava_model dry_llava;
        idefics3_model dry_idefics3;
        reduce_state dry_reduce;
        memset(&dry_llava, 0, sizeof dry_llava);
        memset(&dry_idefics3, 0, sizeof dry_idefics3);
        memset(&dry_reduce, 0, sizeof dry_reduce);
        st = load_model(s, &plan, &dry_llava, &dry_idefics3, &dry_reduce, capacity, err);
        reduce_state_free(&dry_reduce);
        llava_free(&dry_llava);
        idefics3_free(&dry_idefics3);
        s->weight_bytes = plan.weight_bytes;
        s->planned_bytes = plan.weight_bytes + plan.buffer_bytes;
        const gpu_caps *caps = gpu_device_caps(s->dev);
        uint64_t have = caps->backend == GPU_BACKEND_CPU ? UINT64_MAX : caps->device_local_bytes;
        if (st == VKVLM_OK && s->planned_bytes > have)
            st = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY,
                                 "%s needs %s of device memory (weights %s, KV cache for %u tokens and activations %s) "
                                 "but %s has %s; try a smaller --ctx",
                                 dir, human(s->planned_bytes).s, human(plan.weight_bytes).s, capacity,
                                 human(plan.buffer_bytes).s, caps->name, human(have).s);
        if (st == VKVLM_OK) {
            model_loader load = {.dev = s->dev, .ck = &s->ck, .tensors_expected = plan.tensors, .quant = quant};
            if (desc->progress) {
                load.progress = load_progress;
                load.progress_user = (void *)desc;
            }
            char warning[PATH_MAX + 128] = "";
            bool use_cache = quant != GPU_WEIGHT_F32 && !(desc->quant_cache_dir && !desc->quant_cache_dir[0]);
            if (use_cache) load.cache = quant_cache_open(&s->ck, gpu_weight_dtype_name(quant), desc->quant_cache_dir,
                                                         warning, sizeof warning);
            if (warning[0]) vkvlm_log(&desc->logger, VKVLM_LOG_WARN, "%s", warning);
            st = load_model(s, &load, &s->llava, &s->idefics3, &s->reduce, capacity, err);
            warning[0] = '\0';
            if (st == VKVLM_OK && !quant_cache_finish(load.cache, warning, sizeof warning))
                vkvlm_log(&desc->logger, VKVLM_LOG_WARN, "%s", warning);
            s->quantized_tensors = load.quantized;
            s->quant_cache_hits = quant_cache_hits(load.cache);
            s->quantize_ms = load.quant_ms;
            if (st == VKVLM_OK && quant != GPU_WEIGHT_F32) {
                vkvlm_log(&desc->logger, VKVLM_LOG_INFO, "%s: %d weights as %s, %d of them from the cache %s, %.0f ms quantizing",
                          dir, load.quantized, gpu_weight_dtype_name(quant), s->quant_cache_hits,
                          load.cache ? quant_cache_path(load.cache) : "(none)", load.quant_ms);
            }
            quant_cache_close(load.cache);
        }
    }
    if (st != VKVLM_OK) {
        vkvlm_session_destroy(s);
        return st;
    }
    s->load_ms = vkvlm_now_ms() - t0;
    s->quant = quant == GPU_WEIGHT_F32 ? "none" : gpu_weight_dtype_name(quant);
    *out = s;
    return VKVLM_OK;
}

void vkvlm_session_destroy(vkvlm_session *s) {
    if (!s) return;
    reduce_state_free(&s->reduce);
    llava_free(&s->llava);
    idefics3_free(&s->idefics3);
    gpu_device_destroy(s->dev);
    gpu_context_destroy(s->ctx);
    vkvlm_tokenizer_destroy(s->tok);
    vkvlm_checkpoint_close(&s->ck);
    if (s->have_tower_ck) vkvlm_checkpoint_close(&s->tower_ck);
    free(s);
}

void vkvlm_session_device_info(const vkvlm_session *s, gpu_device_info *out, const char **limits) {
    const gpu_caps *caps = gpu_device_caps(s->dev);
    *out = (gpu_device_info){.backend = caps->backend, .backend_index = -1, .caps = *caps};
    *limits = gpu_context_limits(s->ctx);
}

void vkvlm_session_info_get(const vkvlm_session *s, vkvlm_session_info *out) {
    memset(out, 0, sizeof *out);
    out->model_type = s->cfg.model_type;
    out->backend = s->backend;
    out->device_name = s->device_name;
    out->driver = s->driver;
    out->context_length = ((vkvlm_session *)s)->family == VKVLM_CONFIG_IDEFICS3 ? s->idefics3.text.s.capacity
                                                                                 : s->llava.text.s.capacity;
    out->image_tokens = tile_tokens(s);
    out->vocab_size = (unsigned)s->cfg.text.vocab_size;
    out->image_token_id = s->cfg.image_token_id;
    out->weight_bytes = s->weight_bytes;
    out->planned_bytes = s->planned_bytes;
    out->peak_bytes = gpu_device_memory_peak(s->dev);
    out->quant = s->quant;
    out->quantized_tensors = s->quantized_tensors;
    out->quant_cache_hits = s->quant_cache_hits;
    out->quantize_ms = s->quantize_ms;
}

void vkvlm_result_free(vkvlm_result *r) {
    if (!r) return;
    for (int i = 0; i < r->reduction_count; i++) {
        free(r->reductions[i].scores);
        free(r->reductions[i].kept_positions);
        for (int j = 0; j < r->reductions[i].layer_count; j++) {
            vkvlm_reduction_layer *L = &r->reductions[i].layers[j];
            free(L->scores);
            free(L->kept);
            free(L->discarded);
            free(L->targets);
            free(L->alpha);
        }
        free(r->reductions[i].layers);
    }
    free(r->reductions);
    free(r->kernels);
    free(r->prompt_tokens);
    free(r->tokens);
    free(r->text);
    memset(r, 0, sizeof *r);
}

/* ---------------------------------------------------------------- one prompt */

/* Submits, waits, and adds the command's dispatches and timings to the stage's profile. */
static vkvlm_status submit_and_wait(gpu_cmd *cmd, run_profile *prof, run_stage stage, vkvlm_error *err) {
    vkvlm_status st = gpu_cmd_submit(cmd, err);
    if (st == VKVLM_OK) st = gpu_cmd_wait(cmd, err);
    if (st == VKVLM_OK) run_profile_add(prof, stage, cmd);
    return st;
}

/* vkvlm_generate_desc.prompt_ids: the ids as given, each checked against the vocabulary. */
static vkvlm_status copy_prompt_ids(const vkvlm_session *s, const vkvlm_generate_desc *g, vkvlm_token_ids *ids,
                                    vkvlm_error *err) {
    if (g->prompt || g->raw_prompt || g->image_count)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "prompt ids are a text-only prompt: give no prompt text or image with them");
    if (g->prompt_id_count < 1) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "prompt ids: the list is empty");
    int64_t vocab = s->family == VKVLM_CONFIG_IDEFICS3 ? s->idefics3.text.cfg.vocab_size : s->llava.text.cfg.vocab_size;
    for (int i = 0; i < g->prompt_id_count; i++) {
        int id = g->prompt_ids[i];
        if (id < 0 || id >= vocab)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "prompt id %d (at %d) is outside the vocabulary 0..%lld", id, i,
                                   (long long)vocab - 1);
        if (id == s->cfg.image_token_id)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "prompt id %d (at %d) is the image token; prompt ids are text only", id, i);
        int32_t id32 = id;
        if (vkvlm_token_ids_append(ids, &id32, 1) != VKVLM_OK)
            return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "generate: out of host memory");
    }
    return VKVLM_OK;
}

/* Image -> pixel values on the device (and in the dump). */
static vkvlm_status preprocess_image(vkvlm_session *s, const char *path, dump_writer *dump, vkvlm_error *err) {
    vkvlm_image *image = NULL;
    vkvlm_preprocess_output *px = NULL;
    vkvlm_status st = vkvlm_image_load(path, NULL, &image, err);
    if (st == VKVLM_OK) st = vkvlm_preprocess_image(&s->pp, image, &px, err);
    vkvlm_image_destroy(image);
    if (st != VKVLM_OK) return st;
    int side = s->cfg.vision.image_size;
    int tiles_max = s->family == VKVLM_CONFIG_IDEFICS3 ? (int)s->idefics3.max_tiles : 1;
    if (px->tiles < 1 || px->tiles > tiles_max || px->channels != 3 || px->height != side || px->width != side)
        st = vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                             "%s: preprocessing gave %dx%dx%dx%d pixels, the vision tower takes up to %dx3x%dx%d", path,
                             px->tiles, px->channels, px->height, px->width, tiles_max, side, side);
    uint64_t bytes = (uint64_t)px->tiles * 3 * side * side * 4;
    gpu_buffer *dst = s->family == VKVLM_CONFIG_IDEFICS3 ? s->idefics3.pixels : s->llava.pixels;
    if (st == VKVLM_OK) st = gpu_buffer_write(dst, 0, px->pixels, bytes, err);
    if (st == VKVLM_OK)
        st = dump_host(dump, "pixel_values", px->pixels, (const int64_t[]){px->tiles, 3, side, side}, 4, err);
    s->tiles = st == VKVLM_OK ? (uint32_t)px->tiles : 0;
    s->grid = (vkvlm_chat_image){px->rows, px->cols};
    vkvlm_preprocess_output_destroy(px);
    return st;
}

/* Vision layers FiCoCo-V can act in (0: the tower has no CLS token). */
static int reducible_vision_layers(const vkvlm_session *s) {
    return s->family == VKVLM_CONFIG_IDEFICS3 ? 0 : s->llava.vision.layers_run;
}

/* LLaVA's tokenizer_image_token (llava_llama): the text split at each <image>, every chunk encoded with BOS, only
 * the first chunk's BOS kept, the placeholder id (-200) between chunks. */
static vkvlm_status encode_original(vkvlm_session *s, const char *text, size_t len, vkvlm_token_ids *ids,
                                    vkvlm_error *err) {
    static const char tag[] = "<image>";
    const size_t tag_len = sizeof tag - 1;
    int32_t placeholder = s->cfg.image_token_id, bos = vkvlm_tokenizer_bos_id(s->tok);
    vkvlm_status st = VKVLM_OK;
    for (size_t at = 0, chunk = 0; st == VKVLM_OK; chunk++) {
        const char *hit = NULL;
        for (size_t i = at; i + tag_len <= len && !hit; i++)
            if (memcmp(text + i, tag, tag_len) == 0) hit = text + i;
        size_t end = hit ? (size_t)(hit - text) : len;
        vkvlm_token_ids part = {0};
        st = vkvlm_tokenizer_encode(s->tok, text + at, end - at, 1, &part, err);
        size_t skip = chunk > 0 && part.n > 0 && part.ids[0] == bos ? 1 : 0;
        if (st == VKVLM_OK && ((part.n > skip && vkvlm_token_ids_append(ids, part.ids + skip, part.n - skip) != VKVLM_OK) ||
                               (hit && vkvlm_token_ids_append(ids, &placeholder, 1) != VKVLM_OK)))
            st = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "tokenizer: out of host memory");
        vkvlm_token_ids_free(&part);
        if (st != VKVLM_OK || !hit) break;
        at = end + tag_len;
    }
    return st;
}

static vkvlm_status build_prompt(vkvlm_session *s, const vkvlm_generate_desc *g, uint32_t image_seq_len,
                                 vkvlm_token_ids *ids, vkvlm_error *err) {
    /* llava_llama: the llava-hf template text with one <image> per image (the placeholder is spliced in as an id,
     * then expanded to the image's rows by expand_prompt) */
    bool original = s->family == VKVLM_CONFIG_LLAVA_LLAMA;
    if (original) image_seq_len = 1;
    vkvlm_chat_desc cd = {.family = s->family == VKVLM_CONFIG_IDEFICS3 ? VKVLM_CHAT_IDEFICS3 : VKVLM_CHAT_LLAVA15,
                          .user_message = g->prompt ? g->prompt : "",
                          .raw_prompt = g->raw_prompt,
                          .n_images = (size_t)g->image_count,
                          .images = g->image_count ? &s->grid : NULL,
                          .image_seq_len = image_seq_len};
    vkvlm_token_text text = {0};
    vkvlm_status st = vkvlm_chat_build_prompt(&cd, &text, err);
    if (st == VKVLM_OK && original) st = encode_original(s, text.data, text.len, ids, err);
    else if (st == VKVLM_OK) st = vkvlm_tokenizer_encode(s->tok, text.data, text.len, 1, ids, err);
    vkvlm_token_text_free(&text);
    return st;
}

/* The prompt's image tokens: their positions, in order; the k-th takes image embedding row k (transformers'
 * masked_scatter). Several images or tiles give several runs separated by tags and text. The decoder's input
 * rows are the positions in order, unless the prompt has a row order (ProxyV packs the image first). */
typedef struct image_tokens {
    int32_t *positions;  /* [count] */
    int32_t *rows;       /* [count] the input row of each; == positions without a row order */
    uint32_t count;
    int32_t newline_row; /* llava_llama: the row that takes model.image_newline; -1: none */
} image_tokens;

/* The decoder's input in prompt order: ids[position] (placeholders hold a vocabulary id, their rows are
 * overwritten), and order[row] = the position of each input row (NULL: row == position). */
typedef struct prompt_layout {
    int32_t *ids;   /* [L] */
    int32_t *order; /* [L] or NULL */
    uint32_t L;
} prompt_layout;

/* llava_llama: each placeholder id becomes the image's `features` rows and one image_newline row (LLaVA's
 * mm_newline_position "one_token"); other ids stay. Fills the layout (prompt order) and img (one image). */
static vkvlm_status expand_prompt(const vkvlm_session *s, const vkvlm_token_ids *ids, uint32_t features,
                                  prompt_layout *lay, image_tokens *img, vkvlm_error *err) {
    uint32_t placeholders = 0;
    for (size_t i = 0; i < ids->n; i++) placeholders += ids->ids[i] == s->cfg.image_token_id;
    lay->L = (uint32_t)ids->n + placeholders * features;
    lay->ids = malloc((lay->L ? lay->L : 1) * sizeof *lay->ids);
    img->positions = malloc((lay->L ? lay->L : 1) * sizeof *img->positions);
    if (!lay->ids || !img->positions) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "generate: out of host memory");
    uint32_t p = 0;
    for (size_t i = 0; i < ids->n; i++) {
        if (ids->ids[i] != s->cfg.image_token_id) {
            lay->ids[p++] = ids->ids[i];
            continue;
        }
        for (uint32_t j = 0; j < features; j++) {
            img->positions[img->count++] = (int32_t)p;
            lay->ids[p++] = 0;
        }
        img->newline_row = (int32_t)p;
        lay->ids[p++] = 0;
    }
    img->rows = img->positions;
    return VKVLM_OK;
}

/* ProxyV's tensor order (PROXYV.md section 4): the image rows first, then the newline, then all text (the
 * pre-image text too); positions keep the prompt order. One image. */
static vkvlm_status proxyv_order(prompt_layout *lay, image_tokens *img, vkvlm_error *err) {
    lay->order = malloc(lay->L * sizeof *lay->order);
    img->rows = malloc(img->count * sizeof *img->rows);
    if (!lay->order || !img->rows) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "generate: out of host memory");
    uint32_t r = 0, first = (uint32_t)img->positions[0], newline = (uint32_t)img->newline_row;
    for (uint32_t k = 0; k < img->count; k++) {
        img->rows[k] = (int32_t)r;
        lay->order[r++] = img->positions[k];
    }
    img->newline_row = (int32_t)r;
    lay->order[r++] = (int32_t)newline;
    for (uint32_t p = 0; p < lay->L; p++)
        if (p < first || p > newline) lay->order[r++] = (int32_t)p;
    return VKVLM_OK;
}

/* Rows [c0, c1) of the prompt into the decoder's input: host embeddings, positions, and the image features
 * over the image-token rows (one copy per run of consecutive image tokens). */
static vkvlm_status stage_chunk(vkvlm_session *s, gpu_cmd *cmd, const prompt_layout *lay, uint32_t c0, uint32_t c1,
                                const image_tokens *img, float *rows, int32_t *positions, vkvlm_error *err) {
    llama_model *t = text_model(s);
    uint32_t d = (uint32_t)t->cfg.hidden_size, n = c1 - c0;
    for (uint32_t i = 0; i < n; i++) positions[i] = lay->order ? lay->order[c0 + i] : (int32_t)(c0 + i);
    vkvlm_status st = VKVLM_OK;
    if (!lay->order) st = llama_embed_host(t, lay->ids + c0, n, rows, err);
    for (uint32_t i = 0; lay->order && i < n && st == VKVLM_OK; i++)
        st = llama_embed_host(t, &lay->ids[positions[i]], 1, rows + (size_t)i * d, err);
    if (st == VKVLM_OK) st = gpu_buffer_write(t->s.x, 0, rows, (uint64_t)n * d * 4, err);
    if (st == VKVLM_OK) st = gpu_buffer_write(t->s.pos, 0, positions, (uint64_t)n * 4, err);
    if (st == VKVLM_OK && img->newline_row >= (int32_t)c0 && img->newline_row < (int32_t)c1)
        st = gpu_cmd_copy(cmd, t->s.x, (uint64_t)(img->newline_row - (int32_t)c0) * d * 4, s->llava.image_newline.buffer, 0,
                          (uint64_t)d * 4, err);
    for (uint32_t k = 0; st == VKVLM_OK && k < img->count;) {
        uint32_t run = 1; /* img->rows[k .. k+run) are consecutive */
        while (k + run < img->count && img->rows[k + run] == img->rows[k] + (int32_t)run) run++;
        uint32_t lo = (uint32_t)img->rows[k], hi = lo + run;
        uint32_t a = lo > c0 ? lo : c0, b = hi < c1 ? hi : c1;
        if (a < b)
            st = gpu_cmd_copy(cmd, t->s.x, (uint64_t)(a - c0) * d * 4, image_embeds(s), (uint64_t)(k + (a - lo)) * d * 4,
                              (uint64_t)(b - a) * d * 4, err);
        k += run;
    }
    return st;
}

/* A FiCoCo report as a public reduction entry. */
static vkvlm_status ficoco_result(const reduce_ficoco_report *rep, const char *method, vkvlm_reduction *r,
                                  vkvlm_error *err) {
    memset(r, 0, sizeof *r);
    r->method = method;
    r->layer = rep->count ? rep->layers[0].layer : 0;
    r->layers = calloc((size_t)(rep->count ? rep->count : 1), sizeof *r->layers);
    if (!r->layers) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "generate: out of host memory");
    for (int i = 0; i < rep->count; i++) {
        const reduce_ficoco_layer *f = &rep->layers[i];
        vkvlm_reduction_layer *L = &r->layers[r->layer_count++];
        size_t pairs = (size_t)f->removed * f->targets;
        L->layer = f->layer;
        L->score_count = (int)f->candidates;
        L->kept_count = (int)f->kept_count;
        L->discarded_count = (int)f->removed;
        L->targets_per_token = (int)f->targets;
        L->scores = malloc((f->candidates ? f->candidates : 1) * sizeof *L->scores);
        L->kept = malloc((f->kept_count ? f->kept_count : 1) * sizeof *L->kept);
        L->discarded = malloc((f->removed ? f->removed : 1) * sizeof *L->discarded);
        L->targets = malloc((pairs ? pairs : 1) * sizeof *L->targets);
        L->alpha = malloc((pairs ? pairs : 1) * sizeof *L->alpha);
        if (!L->scores || !L->kept || !L->discarded || !L->targets || !L->alpha)
            return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "generate: out of host memory");
        memcpy(L->scores, f->scores, f->candidates * sizeof *L->scores);
        for (uint32_t j = 0; j < f->kept_count; j++) L->kept[j] = f->kept[j];
        for (uint32_t j = 0; j < f->removed; j++) L->discarded[j] = f->discarded[j];
        for (size_t j = 0; j < pairs; j++) L->targets[j] = f->target_idx[j];
        memcpy(L->alpha, f->alpha, pairs * sizeof *L->alpha);
    }
    if (rep->count && strcmp(method, "ficoco-l") == 0) { /* the survivors after the last merge */
        const vkvlm_reduction_layer *last = &r->layers[r->layer_count - 1];
        r->kept_positions = malloc((size_t)(last->kept_count ? last->kept_count : 1) * sizeof *r->kept_positions);
        if (!r->kept_positions) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "generate: out of host memory");
        memcpy(r->kept_positions, last->kept, (size_t)last->kept_count * sizeof *r->kept_positions);
        r->kept_count = last->kept_count;
    }
    return VKVLM_OK;
}

static bool is_eos(const vkvlm_session *s, int32_t id) {
    const vkvlm_config *c = &s->cfg;
    for (int i = 0; i < c->generation.n_eos_token_ids; i++)
        if (c->generation.eos_token_ids[i] == id) return true;
    for (int i = 0; i < c->text.n_eos_token_ids; i++)
        if (c->text.eos_token_ids[i] == id) return true;
    return id == vkvlm_tokenizer_eos_id(s->tok);
}

vkvlm_status vkvlm_session_generate(vkvlm_session *s, const vkvlm_generate_desc *g, vkvlm_result *out, vkvlm_error *err) {
    memset(out, 0, sizeof *out);
    out->timings_ms.load = s->load_ms;
    if (g->image_count < 0 || g->image_count > 1)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "%s takes at most one image per prompt in this build (%d given)",
                               s->family == VKVLM_CONFIG_IDEFICS3 ? "SmolVLM" : "LLaVA-1.5", g->image_count);
    if (g->prompt && g->raw_prompt) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "give -p or --raw-prompt, not both");
    llama_model *t = text_model(s);
    image_tokens img = {.newline_row = -1};
    prompt_layout lay = {0};
    bool original = s->family == VKVLM_CONFIG_LLAVA_LLAMA;
    uint32_t d = (uint32_t)t->cfg.hidden_size, vocab = (uint32_t)t->cfg.vocab_size;
    int max_new = g->max_new_tokens > 0 ? g->max_new_tokens : 32;
    dump_writer dump;
    vkvlm_token_ids ids = {0};
    vkvlm_token_text text = {0};
    sampler smp = {0};
    vkvlm_tokenizer_stream *stream = NULL;
    gpu_cmd *cmd = NULL;
    float *rows = NULL, *logits = NULL;
    int32_t *positions = NULL, *history = NULL;
    run_profile prof = {0};

    reduce_spec spec = {0};
    vkvlm_status st = VKVLM_OK;
    for (int i = 0; i < g->reduce_count && st == VKVLM_OK; i++) st = reduce_parse(&spec, g->reduce[i], err);
    /* a ProxyV checkpoint runs ProxyV unless told otherwise (--reduce none): its weights were trained for it */
    if (st == VKVLM_OK && g->reduce_count == 0 && s->llava.proxyv.loaded && g->image_count)
        st = reduce_parse(&spec, "proxyv", err);
    if (st != VKVLM_OK) return st;

    /* preprocess: image to pixels, prompt to ids */
    double t0 = vkvlm_now_ms();
    st = dump_open(&dump, g->dump_dir, err);
    if (st == VKVLM_OK && g->image_count) st = preprocess_image(s, g->images[0], &dump, err);
    /* FiCoCo-V hands fewer image tokens to the LLM: the prompt holds that many placeholders */
    uint32_t seq_len = s->family == VKVLM_CONFIG_IDEFICS3 ? tile_tokens(s)
                                                          : reduce_vision_tokens(&spec, tile_tokens(s), reducible_vision_layers(s));
    if (st == VKVLM_OK) st = g->prompt_ids ? copy_prompt_ids(s, g, &ids, err) : build_prompt(s, g, seq_len, &ids, err);
    if (st == VKVLM_OK && original) st = expand_prompt(s, &ids, seq_len, &lay, &img, err);
    if (st == VKVLM_OK && original && reduce_spec_has(&spec, REDUCE_PROXYV) && img.count)
        st = proxyv_order(&lay, &img, err);
    if (st == VKVLM_OK && !original) {
        lay = (prompt_layout){.ids = ids.ids, .L = (uint32_t)ids.n};
        img.positions = malloc((ids.n ? ids.n : 1) * sizeof *img.positions);
        if (!img.positions) st = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "generate: out of host memory");
        img.rows = img.positions;
    }
    for (size_t i = 0; st == VKVLM_OK && !original && i < ids.n; i++)
        if (ids.ids[i] == s->cfg.image_token_id) img.positions[img.count++] = (int32_t)i;
    uint32_t want_image_tokens = 0;
    if (g->image_count)
        want_image_tokens = s->family == VKVLM_CONFIG_IDEFICS3
                                ? (uint32_t)vkvlm_chat_image_token_count(VKVLM_CHAT_IDEFICS3, s->grid, tile_tokens(s))
                                : seq_len;
    uint32_t image_rows = img.count;
    if (st == VKVLM_OK && image_rows != want_image_tokens)
        st = vkvlm_error_set(err, VKVLM_ERR_USAGE, "the prompt has %u image tokens; %d image(s) need %u (one <image> per image)",
                             image_rows, g->image_count, want_image_tokens);
    if (st == VKVLM_OK)
        st = reduce_validate(&spec, t->cfg.num_hidden_layers, reducible_vision_layers(s), image_rows, err);
    uint32_t L = lay.L;
    if (st == VKVLM_OK && L + (uint32_t)max_new > t->s.capacity)
        st = vkvlm_error_set(err, VKVLM_ERR_LIMIT, "the prompt (%u tokens) and -n %d exceed the context of %u tokens (use --ctx)",
                             L, max_new, t->s.capacity);
    out->timings_ms.preprocess = vkvlm_now_ms() - t0;

    /* vision: tower + projector, one submit */
    t0 = vkvlm_now_ms();
    if (st == VKVLM_OK && image_rows) {
        bool idefics3 = s->family == VKVLM_CONFIG_IDEFICS3;
        reduce_vision_begin(&s->reduce, &spec);
        st = gpu_cmd_begin(s->dev, &cmd, err);
        if (st == VKVLM_OK) st = idefics3 ? idefics3_encode_images(&s->idefics3, cmd, s->tiles, err)
                                          : llava_encode_image(&s->llava, cmd, &s->reduce, err);
        if (st == VKVLM_OK) st = submit_and_wait(cmd, &prof, RUN_STAGE_VISION, err);
        gpu_cmd_destroy(cmd);
        cmd = NULL;
        uint32_t dv = (uint32_t)s->cfg.vision.hidden_size;
        /* the vision tower's output as the projector / connector reads it */
        uint32_t feature_rows = idefics3 ? s->tiles * s->idefics3.tile_patches : llava_feature_rows(&s->llava);
        gpu_binding features = idefics3 ? (gpu_binding){s->idefics3.features, 0, (uint64_t)feature_rows * dv * 4}
                                        : llava_vision_features(&s->llava);
        if (st == VKVLM_OK) st = dump_device(&dump, "vision_features", features, (const int64_t[]){feature_rows, dv}, 2, err);
        if (st == VKVLM_OK)
            st = dump_device(&dump, "image_embeddings", (gpu_binding){image_embeds(s), 0, (uint64_t)image_rows * d * 4},
                             (const int64_t[]){image_rows, d}, 2, err);
        out->flops_vision_baseline = out->flops_vision_actual =
            idefics3 ? idefics3_vision_flops(&s->idefics3, s->tiles) : llava_vision_flops(&s->llava);
        if (!idefics3) out->flops_vision_actual = llava_vision_flops_actual(&s->llava);
    }
    out->timings_ms.vision = vkvlm_now_ms() - t0;

    /* prefill: the prompt in chunks, image features merged, logits of the last row. Greedy decoding (no
     * penalty) reads back only the argmax id; the logits row comes back when sampling or --dump needs it. */
    t0 = vkvlm_now_ms();
    bool greedy = g->temperature <= 0 && (g->repetition_penalty <= 0 || g->repetition_penalty == 1.0f);
    llama_output last_output = greedy && !g->dump_dir ? LLAMA_OUTPUT_ARGMAX : LLAMA_OUTPUT_LOGITS;
    int32_t next = -1; /* the device's argmax when last_output is ARGMAX */
    uint32_t chunk = t->s.max_rows;
    rows = malloc((size_t)chunk * d * sizeof *rows);
    positions = malloc((size_t)chunk * sizeof *positions);
    logits = malloc((size_t)vocab * sizeof *logits);
    history = malloc(((size_t)L + (size_t)max_new) * sizeof *history);
    if (st == VKVLM_OK && (!rows || !positions || !logits || !history))
        st = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "generate: out of host memory");
    if (st == VKVLM_OK) llama_reset(t);
    if (st == VKVLM_OK) st = reduce_begin(&s->reduce, &spec, L, img.positions, image_rows, err);
    for (uint32_t c0 = 0; st == VKVLM_OK && c0 < L; c0 += chunk) {
        uint32_t c1 = c0 + chunk < L ? c0 + chunk : L;
        st = gpu_cmd_begin(s->dev, &cmd, err);
        if (st == VKVLM_OK) st = stage_chunk(s, cmd, &lay, c0, c1, &img, rows, positions, err);
        if (st == VKVLM_OK)
            st = llama_forward(t, cmd, c1 - c0, c1 < L ? LLAMA_OUTPUT_NONE : last_output, &s->reduce, err);
        if (st == VKVLM_OK) st = submit_and_wait(cmd, &prof, RUN_STAGE_PREFILL, err);
        gpu_cmd_destroy(cmd);
        cmd = NULL;
        out->flops_llm_baseline += llama_flops(&t->cfg, c1 - c0, c0, c1 == L);
    }
    if (st == VKVLM_OK) st = reduce_collect(&s->reduce, err);
    if (st == VKVLM_OK) out->flops_llm_actual = llama_prefill_flops(&t->cfg, L, &s->reduce);
    out->flops_prefill_baseline = out->flops_llm_baseline;
    out->flops_prefill_actual = out->flops_llm_actual;
    if (st == VKVLM_OK && last_output == LLAMA_OUTPUT_ARGMAX) st = gpu_buffer_read(t->s.argmax, 0, &next, 4, err);
    if (st == VKVLM_OK && last_output == LLAMA_OUTPUT_LOGITS) {
        st = gpu_buffer_read(t->s.logits, 0, logits, (uint64_t)vocab * 4, err);
        if (st == VKVLM_OK) st = dump_host(&dump, "logits_last", logits, (const int64_t[]){vocab}, 1, err);
    }
    last_output = greedy ? LLAMA_OUTPUT_ARGMAX : LLAMA_OUTPUT_LOGITS; /* decode steps dump nothing */
    out->timings_ms.prefill = vkvlm_now_ms() - t0;

    /* decode: sample, feed back, until EOS or -n */
    t0 = vkvlm_now_ms();
    sampler_desc sd = {g->temperature, g->top_k, g->top_p, g->repetition_penalty, g->seed};
    if (st == VKVLM_OK && !sampler_init(&smp, &sd, (int)vocab))
        st = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "sampler: out of host memory");
    if (st == VKVLM_OK) st = vkvlm_tokenizer_stream_create(s->tok, 1, &stream, err);
    out->tokens = malloc((size_t)max_new * sizeof *out->tokens);
    if (st == VKVLM_OK && !out->tokens) st = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "generate: out of host memory");
    /* the prompt's ids for the repetition penalty: llava_llama's placeholder (-200) is no vocabulary id */
    int n_history = 0;
    for (size_t i = 0; st == VKVLM_OK && i < ids.n; i++)
        if (ids.ids[i] >= 0) history[n_history++] = ids.ids[i];
    for (int step = 0; st == VKVLM_OK && step < max_new; step++) {
        int32_t id = next >= 0 ? next : sampler_sample(&smp, logits, history, n_history);
        next = -1;
        if (is_eos(s, id) && !g->ignore_eos) break;
        out->tokens[out->token_count++] = id;
        history[n_history++] = id;
        size_t before = text.len;
        st = vkvlm_tokenizer_stream_push(stream, id, &text, err);
        if (st == VKVLM_OK && g->on_token && !g->on_token(g->user_data, id, text.data ? text.data + before : "")) break;
        if (st != VKVLM_OK || step + 1 == max_new) break;
        /* the sampled token goes through the decoder at position L + step */
        int32_t pos = (int32_t)(L + (uint32_t)step);
        st = llama_embed_host(t, &id, 1, rows, err);
        if (st == VKVLM_OK) st = gpu_buffer_write(t->s.x, 0, rows, (uint64_t)d * 4, err);
        if (st == VKVLM_OK) st = gpu_buffer_write(t->s.pos, 0, &pos, 4, err);
        if (st == VKVLM_OK) st = gpu_cmd_begin(s->dev, &cmd, err);
        if (st == VKVLM_OK) st = llama_forward(t, cmd, 1, last_output, NULL, err);
        if (st == VKVLM_OK) st = submit_and_wait(cmd, &prof, RUN_STAGE_DECODE, err);
        gpu_cmd_destroy(cmd);
        cmd = NULL;
        if (st == VKVLM_OK && last_output == LLAMA_OUTPUT_ARGMAX) st = gpu_buffer_read(t->s.argmax, 0, &next, 4, err);
        if (st == VKVLM_OK && last_output == LLAMA_OUTPUT_LOGITS)
            st = gpu_buffer_read(t->s.logits, 0, logits, (uint64_t)vocab * 4, err);
        out->flops_llm_baseline += llama_flops(&t->cfg, 1, (uint32_t)pos, true);
        out->flops_llm_actual += llama_decode_flops(t, 1);
    }
    if (st == VKVLM_OK) {
        size_t before = text.len;
        st = vkvlm_tokenizer_stream_flush(stream, &text, err);
        if (st == VKVLM_OK && g->on_token && text.len > before) g->on_token(g->user_data, -1, text.data + before);
    }
    out->timings_ms.decode = vkvlm_now_ms() - t0;
    if (out->token_count > 1 && out->timings_ms.decode > 0)
        out->decode_tokens_per_s = (out->token_count - 1) / (out->timings_ms.decode / 1e3);
    out->flops_baseline = out->flops_vision_baseline + out->flops_llm_baseline;
    out->flops_actual = out->flops_vision_actual + out->flops_llm_actual;
    if (st == VKVLM_OK && (s->reduce.fastv.done || s->reduce.ficoco.v.count || s->reduce.ficoco.l.count ||
                           s->reduce.proxyv.applied)) {
        out->reductions = calloc(4, sizeof *out->reductions);
        if (!out->reductions) st = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "generate: out of host memory");
        if (st == VKVLM_OK && s->reduce.ficoco.v.count)
            st = ficoco_result(&s->reduce.ficoco.v, "ficoco-v", &out->reductions[out->reduction_count++], err);
        if (st == VKVLM_OK && s->reduce.ficoco.l.count)
            st = ficoco_result(&s->reduce.ficoco.l, "ficoco-l", &out->reductions[out->reduction_count++], err);
    }
    if (st == VKVLM_OK && s->reduce.fastv.done) {
        const reduce_fastv_report *f = &s->reduce.fastv;
        {
            vkvlm_reduction *r = &out->reductions[out->reduction_count++];
            r->method = "fastv";
            r->layer = f->layer;
            r->score_count = (int)f->image_tokens;
            r->kept_count = (int)f->kept_count;
            r->scores = malloc((size_t)f->image_tokens * sizeof *r->scores);
            r->kept_positions = malloc((size_t)f->kept_count * sizeof *r->kept_positions);
            if (!r->scores || !r->kept_positions) {
                st = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "generate: out of host memory");
            } else {
                memcpy(r->scores, f->scores, (size_t)f->image_tokens * sizeof *r->scores);
                for (uint32_t i = 0; i < f->kept_count; i++) r->kept_positions[i] = f->kept_positions[i];
            }
        }
    }

    if (st == VKVLM_OK && s->reduce.proxyv.applied) {
        /* ProxyV removes nothing: the report names the start layer and the proxies (count and positions) */
        const proxyv_model *p = &s->llava.proxyv;
        vkvlm_reduction *r = &out->reductions[out->reduction_count++];
        r->method = "proxyv";
        r->layer = p->start_layer;
        r->kept_count = (int)p->proxies;
        r->kept_positions = malloc(p->proxies * sizeof *r->kept_positions);
        if (!r->kept_positions) st = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "generate: out of host memory");
        for (uint32_t i = 0; st == VKVLM_OK && i < p->proxies; i++)
            r->kept_positions[i] = (int)(s->reduce.proxyv.image_start + i);
    }

    vkvlm_status closed = dump_close(&dump, err);
    if (st == VKVLM_OK) st = closed;
    if (st == VKVLM_OK) {
        out->prompt_tokens = malloc(ids.n * sizeof *out->prompt_tokens);
        out->text = malloc(text.len + 1);
        if (!out->prompt_tokens || !out->text) {
            st = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "generate: out of host memory");
        } else {
            for (size_t i = 0; i < ids.n; i++) out->prompt_tokens[i] = ids.ids[i];
            out->prompt_count = (int)ids.n;
            memcpy(out->text, text.data ? text.data : "", text.len);
            out->text[text.len] = '\0';
        }
    }
    if (st == VKVLM_OK) run_profile_finish(&prof, out);
    run_profile_free(&prof);
    if (st != VKVLM_OK) vkvlm_result_free(out);
    vkvlm_tokenizer_stream_destroy(stream);
    sampler_free(&smp);
    vkvlm_token_ids_free(&ids);
    vkvlm_token_text_free(&text);
    free(rows);
    free(positions);
    free(logits);
    free(history);
    if (img.rows != img.positions) free(img.rows);
    free(img.positions);
    if (original) {
        free(lay.ids);
        free(lay.order);
    }
    return st;
}
