/* weights.h — moving checkpoint tensors onto a device, and the memory plan that comes first.
 *
 * A model loads in two passes over the same code (llama2.c's "one function walks the weights"): the plan
 * pass only adds up bytes (weights, caches, activations) so a device that cannot hold the model fails
 * before anything is allocated, with the sizes that did not fit; the load pass creates the buffers and
 * uploads. Linear weights keep their stored dtype (f32, f16, bf16) and are viewed in row chunks no larger
 * than the device's binding limit; vectors (norms, biases, embeddings added to activations) are converted
 * to f32, since element-wise kernels read f32. */
#ifndef VKVLM_MODELS_WEIGHTS_H
#define VKVLM_MODELS_WEIGHTS_H

#include <stdbool.h>

#include "gpu/ops.h"
#include "io/safetensors.h"
#include "models/quant_cache.h"

/* The loader's state: a plan or a real load, over one checkpoint, onto one device. */
typedef struct model_loader {
    gpu_device *dev;                /* NULL during the plan pass */
    const vkvlm_checkpoint *ck;     /* tensors come from here (non-owning) */
    bool plan_only;                 /* true: count bytes, allocate nothing */
    uint64_t weight_bytes;          /* device bytes of the weights loaded or planned so far */
    uint64_t buffer_bytes;          /* device bytes of the activation / cache buffers so far */
    int tensors;                    /* tensors loaded or planned */
    void (*progress)(void *user, double fraction); /* called after each tensor (load pass) */
    void *progress_user;
    int tensors_expected;           /* from the plan pass, for progress */
    /* --quant: linears loaded while `quantize` is set (the decoder sets it around its own) are stored as
     * `quant` (q8_0 / q4_0) when their rows are whole blocks; others keep their dtype. */
    gpu_weight_dtype quant;         /* GPU_WEIGHT_F32 (0): no quantization */
    bool quantize;
    quant_cache *cache;             /* quantized bytes from / for disk; NULL: quantize every time */
    int quantized;                  /* tensors quantized or read from the cache */
    double quant_ms;                /* host time spent quantizing */
} model_loader;

/* A linear weight on the device: the buffer (owned) and its row-chunk view. */
typedef struct model_linear {
    gpu_buffer *buffer;  /* owned; NULL in the plan pass */
    gpu_weight view;     /* the chunks gpu_op_linear takes */
} model_linear;

/* An f32 tensor on the device (owned). */
typedef struct model_vector {
    gpu_buffer *buffer;
    uint64_t count;      /* floats */
} model_vector;

/* Loads `name` as a linear weight that must have shape [n, k] (a conv weight [n, c, p, p] is accepted
 * when c*p*p == k: the patch embedding). */
vkvlm_status model_load_linear(model_loader *l, const char *name, uint32_t n, uint32_t k, model_linear *out,
                               vkvlm_error *err);
/* One linear of a stack: tensor `name` of shape [n, k], viewed through *out. */
typedef struct model_linear_part {
    const char *name;
    uint32_t n;
    model_linear *out;
} model_linear_part;

/* Loads several linears that read the same input (q, k, v; gate, up) with their rows stacked in one buffer,
 * so one gpu_op_linear over *whole computes them all (decode: one dispatch instead of three). Each part's
 * *out is a non-owning view of its rows (its buffer NULL), for callers that run a part alone; *whole owns
 * the buffer. When the parts cannot share one (different dtypes, or a part's rows would start at an offset
 * the device cannot bind), each part is loaded on its own instead and whole->view.chunk_count is 0. */
vkvlm_status model_load_linear_stack(model_loader *l, const model_linear_part *parts, int count, uint32_t k,
                                     model_linear *whole, vkvlm_error *err);
static inline bool model_linear_stacked(const model_linear *whole) { return whole->view.chunk_count > 0; }

/* Loads `name` converted to f32; its element count must equal `count` (any shape). */
vkvlm_status model_load_vector(model_loader *l, const char *name, uint64_t count, model_vector *out, vkvlm_error *err);
/* A scratch buffer of `bytes` (activations, caches), counted in the plan. label names it in errors. */
vkvlm_status model_buffer(model_loader *l, uint64_t bytes, const char *label, gpu_buffer **out, vkvlm_error *err);

void model_linear_free(model_linear *w);
void model_vector_free(model_vector *v);

static inline gpu_binding model_vec(const model_vector *v) { return gpu_whole(v->buffer); }

#endif
