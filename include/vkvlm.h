/* vkvlm.h — the public C API of vkvlm, a portable GPU inference engine for vision-language models.
 *
 * The CLI (src/cli) and the web build use only this header. It grows with the engine: today it holds the
 * status codes and the error record that every layer returns; model and session objects join it as the
 * LLaVA path lands.
 *
 * Conventions (see ../shared/STYLE.md): functions return a vkvlm_status; on failure they fill a
 * caller-owned vkvlm_error with a message naming the file, tensor, option or Vulkan call at fault.
 * Library code never prints, exits or aborts.
 */
#ifndef VKVLM_H
#define VKVLM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X-macro: one row per status, id + fixed text. The text is the category; the message in vkvlm_error says
 * exactly what went wrong. */
#define VKVLM_STATUS_LIST(X)                                                     \
    X(VKVLM_OK, "ok")                                                            \
    X(VKVLM_ERR_IO, "file could not be read or written")                         \
    X(VKVLM_ERR_FORMAT, "malformed input")                                       \
    X(VKVLM_ERR_UNSUPPORTED, "not supported")                                    \
    X(VKVLM_ERR_USAGE, "bad usage")                                              \
    X(VKVLM_ERR_OUT_OF_MEMORY, "out of memory")                                  \
    X(VKVLM_ERR_DEVICE, "device error")                                          \
    X(VKVLM_ERR_NO_DEVICE, "no usable device")                                   \
    X(VKVLM_ERR_LIMIT, "exceeds a limit")                                        \
    X(VKVLM_ERR_INTERNAL, "internal error")

typedef enum vkvlm_status {
#define VKVLM_STATUS_ENUM(id, text) id,
    VKVLM_STATUS_LIST(VKVLM_STATUS_ENUM)
#undef VKVLM_STATUS_ENUM
    VKVLM_STATUS_COUNT
} vkvlm_status;

/* Fixed text of a status ("malformed input"). Never NULL. */
const char *vkvlm_status_text(vkvlm_status status);

/* The error record: caller-owned, zero-initialised means "no error yet". The first failure wins: later
 * vkvlm_error_set calls on an already-failed record only prepend context (see vkvlm_error_context). */
#define VKVLM_ERROR_MESSAGE_MAX 1024
typedef struct vkvlm_error {
    vkvlm_status status;                   /* VKVLM_OK until something fails */
    char message[VKVLM_ERROR_MESSAGE_MAX]; /* "model.safetensors: header length 9000 exceeds file size 120" */
} vkvlm_error;

/* Log levels for the logger callback. The library never prints: it calls this, or nothing. */
typedef enum vkvlm_log_level {
    VKVLM_LOG_ERROR = 0,
    VKVLM_LOG_WARN = 1,
    VKVLM_LOG_INFO = 2,
    VKVLM_LOG_DEBUG = 3,
} vkvlm_log_level;

typedef void (*vkvlm_log_fn)(void *user_data, vkvlm_log_level level, const char *message);

typedef struct vkvlm_logger {
    vkvlm_log_fn fn;  /* NULL: messages are dropped */
    void *user_data;  /* passed back to fn */
    vkvlm_log_level max_level; /* 0 (default) means VKVLM_LOG_WARN: errors and warnings only */
} vkvlm_logger;

/* ---------------------------------------------------------------- sessions
 *
 * A session loads one Hugging Face model directory onto one device and runs prompts on it, one at a time:
 *
 *     vkvlm_session_desc desc = {.model_dir = "models/llava-1.5-7b-hf"};
 *     vkvlm_session *s;
 *     if (vkvlm_session_create(&desc, &s, &err) != VKVLM_OK) ... err.message ...
 *     vkvlm_generate_desc gen = {.prompt = "What is shown?", .images = &path, .image_count = 1, .max_new_tokens = 32};
 *     vkvlm_result r;
 *     vkvlm_session_generate(s, &gen, &r, &err);   ... r.text, r.tokens, r.timings_ms ...
 *     vkvlm_result_free(&r);
 *     vkvlm_session_destroy(s);
 *
 * All memory (weights, KV cache for context_length tokens, activations) is planned before anything is
 * allocated; a device that cannot hold it fails creation with the sizes. Every zero field of a desc means
 * its documented default. */

typedef struct vkvlm_session vkvlm_session;

typedef void (*vkvlm_progress_fn)(void *user_data, const char *stage, double fraction);

typedef struct vkvlm_session_desc {
    const char *model_dir;        /* Hugging Face model directory (required) */
    const char *backend;          /* "vulkan" | "cpu"; NULL: the best Vulkan device, else cpu */
    const char *device;           /* device index within the backend or a name substring; NULL: $VKVLM_DEVICE */
    unsigned context_length;      /* KV cache tokens; 0: min(max_position_embeddings, 2048) */
    vkvlm_logger logger;          /* library messages (validation, warnings) */
    vkvlm_progress_fn progress;   /* weight loading progress, fraction 0..1; NULL: none */
    void *progress_user;
    const char *quant;            /* quantize the decoder's linear weights (lm_head included) on load: "q8_0" |
                                     "q4_0" (block formats: docs/quantization.md); NULL or "none": keep the
                                     stored dtype. Anything else fails with VKVLM_ERR_USAGE */
    const char *quant_cache_dir;  /* where quantized weights are kept between loads; NULL: $XDG_CACHE_HOME/
                                     vkvlm/quant, else ~/.cache/vkvlm/quant; "": no cache */
} vkvlm_session_desc;

vkvlm_status vkvlm_session_create(const vkvlm_session_desc *desc, vkvlm_session **out, vkvlm_error *err);
void vkvlm_session_destroy(vkvlm_session *s);

/* What was loaded, for reports (strings live as long as the session). */
typedef struct vkvlm_session_info {
    const char *model_type;       /* "llava" */
    const char *backend;          /* "vulkan" | "cpu" */
    const char *device_name;      /* "llvmpipe (LLVM 15.0.6, 256 bits)" */
    const char *driver;           /* driver name and info */
    unsigned context_length;
    unsigned image_tokens;        /* tokens one image becomes */
    unsigned vocab_size;
    int image_token_id;           /* the image placeholder's id (-200 for original-layout LLaVA) */
    unsigned long long weight_bytes;  /* device bytes of weights */
    unsigned long long planned_bytes; /* all device bytes planned (weights, caches, activations) */
    unsigned long long peak_bytes;    /* device bytes held at the peak so far */
    const char *quant;                /* "q8_0" | "q4_0" | "none" */
    int quantized_tensors;            /* weights stored quantized */
    int quant_cache_hits;             /* of those, read from the on-disk cache instead of quantized */
    double quantize_ms;               /* host time spent quantizing during the load */
} vkvlm_session_info;
void vkvlm_session_info_get(const vkvlm_session *s, vkvlm_session_info *out);

/* Returns false to stop generating. text is the newly decodable UTF-8 (may be empty mid-character). */
typedef int (*vkvlm_token_fn)(void *user_data, int token_id, const char *text);

typedef struct vkvlm_generate_desc {
    const char *prompt;           /* the user's message: the family's chat template is applied and one image
                                     placeholder per image inserted as the processor would */
    const char *raw_prompt;       /* or: the exact prompt text (placeholders such as <image> expanded), no template */
    const int *prompt_ids;        /* or: the exact token ids, no tokenizer and no template (text-only; benchmarks
                                     that need a prompt of exactly N tokens), [prompt_id_count] */
    int prompt_id_count;
    const char *const *images;    /* image file paths, [image_count] */
    int image_count;              /* LLaVA-1.5: 0 or 1 */
    int max_new_tokens;           /* 0: 32 */
    float temperature;            /* 0: greedy */
    int top_k;                    /* 0: off */
    float top_p;                  /* 0 or 1: off */
    float repetition_penalty;     /* 0 or 1: off */
    unsigned long long seed;      /* sampling seed; 0: 1 */
    int ignore_eos;               /* nonzero: do not stop at EOS (fixed-length runs, tests) */
    const char *const *reduce;    /* token-reduction specs, [reduce_count], as for --reduce ("fastv:k=2,r=0.5",
                                     "none"); methods compose in the given order */
    int reduce_count;
    const char *dump_dir;         /* write pixel_values, vision_features, image_embeddings, logits_last (.bin +
                                     dump.json) into this directory; NULL: no dump */
    vkvlm_token_fn on_token;      /* streaming callback; NULL: none */
    void *user_data;
} vkvlm_generate_desc;

typedef struct vkvlm_timings {
    double load;        /* session creation (ms) */
    double preprocess;  /* tokenizing and image preprocessing */
    double vision;      /* vision tower + projector, GPU submit to fence */
    double prefill;     /* prompt through the decoder, to the first token */
    double decode;      /* all decode steps */
} vkvlm_timings;

/* What one merge layer of a multi-layer method (FiCoCo) did. Indices: original patch indices, raster order,
 * CLS excluded ("ficoco-v"), or sequence positions of the full prompt ("ficoco-l"). */
typedef struct vkvlm_reduction_layer {
    int layer;                    /* the vision (ficoco-v) or LLM (ficoco-l) layer */
    int score_count;
    float *scores;                /* [score_count] the scores the cut was made on */
    int kept_count;
    int *kept;                    /* [kept_count] survivors of this layer's merge (ficoco-l: text included) */
    int discarded_count;
    int *discarded;               /* [discarded_count] ascending */
    int targets_per_token;
    int *targets;                 /* [discarded_count * targets_per_token] best first */
    float *alpha;                 /* [discarded_count * targets_per_token] merge weights, each row sums to 1 */
} vkvlm_reduction_layer;

/* What one reduction step did. */
typedef struct vkvlm_reduction {
    const char *method;           /* "fastv", "ficoco-v", "ficoco-l", "proxyv" (ProxyV: kept_* are its proxies) */
    int layer;                    /* the first layer that ran on the shorter sequence */
    int score_count;              /* image tokens scored (fastv) */
    float *scores;                /* [score_count] the scores the choice was made on */
    int kept_count;
    int *kept_positions;          /* [kept_count] prompt positions (0-based, full prompt) that survive (fastv;
                                     ficoco-l: after its last merge) */
    int layer_count;              /* ficoco-*: merge layers */
    vkvlm_reduction_layer *layers;/* [layer_count] */
} vkvlm_reduction;

/* GPU work of one stage of a prompt (vision, prefill or decode), from the commands the stage submitted. */
typedef struct vkvlm_stage_work {
    int submits;                  /* commands submitted (one per vision pass, prefill chunk, decode step) */
    int dispatches;               /* compute dispatches recorded */
    int copies;                   /* device buffer copies recorded */
    int barriers;                 /* barriers the hazard tracker inserted */
    double gpu_ms;                /* summed per-dispatch GPU time (timestamps); 0 without timestamps */
} vkvlm_stage_work;

/* One kernel's share of a stage: dispatches and summed GPU time. */
typedef struct vkvlm_kernel_stat {
    const char *name;             /* the kernel (or its op's label); static, lives as long as the library */
    const char *stage;            /* "vision" | "prefill" | "decode" */
    int dispatches;
    double gpu_ms;
} vkvlm_kernel_stat;

typedef struct vkvlm_result {
    int *prompt_tokens;           /* [prompt_count] ids of the full prompt: image tokens expanded (llava-hf, Idefics3);
                                     for original-layout LLaVA checkpoints (ProxyV) the model's own ids, one -200
                                     placeholder per image, as LLaVA's code feeds them */
    int prompt_count;
    int *tokens;                  /* [token_count] generated ids */
    int token_count;
    char *text;                   /* generated text, UTF-8 */
    vkvlm_timings timings_ms;
    double decode_tokens_per_s;
    double flops_baseline;        /* analytic FLOPs of vision + prefill + decode without reduction */
    double flops_actual;          /* with the reductions applied */
    double flops_vision_baseline, flops_vision_actual; /* the vision tower + projector part */
    double flops_llm_baseline, flops_llm_actual;       /* the decoder part (prefill + decode) */
    double flops_prefill_baseline, flops_prefill_actual; /* the prefill part of flops_llm_* */
    vkvlm_reduction *reductions;  /* [reduction_count] */
    int reduction_count;
    vkvlm_stage_work work_vision, work_prefill, work_decode;
    vkvlm_kernel_stat *kernels;   /* [kernel_count] per stage and kernel, most GPU time first */
    int kernel_count;
} vkvlm_result;

vkvlm_status vkvlm_session_generate(vkvlm_session *s, const vkvlm_generate_desc *desc, vkvlm_result *out,
                                    vkvlm_error *err);
void vkvlm_result_free(vkvlm_result *r);

/* The result as `vkvlm run --json` prints it (CLI.md): model (dir = model_dir), device, prompt_tokens, tokens,
 * text, reduction, flops, timings_ms, decode_tokens_per_s. Returns malloc'd UTF-8 JSON text (free() it), or
 * NULL when out of memory. */
char *vkvlm_result_json(const vkvlm_result *r, const vkvlm_session_info *info, const char *model_dir);

#ifdef __cplusplus
}
#endif
#endif
