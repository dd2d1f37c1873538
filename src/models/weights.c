/* weights.c — see weights.h. */
#include "models/weights.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/status.h"
#include "gpu/quant.h"

static void tick(model_loader *l) {
    l->tensors++;
    if (!l->plan_only && l->progress && l->tensors_expected > 0)
        l->progress(l->progress_user, (double)l->tensors / l->tensors_expected);
}

static vkvlm_status dtype_of(const vkvlm_safetensors_tensor *t, gpu_weight_dtype *out, vkvlm_error *err) {
    switch (t->dtype) {
    case VKVLM_SAFETENSORS_F32: *out = GPU_WEIGHT_F32; return VKVLM_OK;
    case VKVLM_SAFETENSORS_F16: *out = GPU_WEIGHT_F16; return VKVLM_OK;
    case VKVLM_SAFETENSORS_BF16: *out = GPU_WEIGHT_BF16; return VKVLM_OK;
    default:
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "%s: tensor '%s' has dtype %s; weights must be F32, F16 or BF16",
                               t->file, t->name, vkvlm_safetensors_dtype_name(t->dtype));
    }
}

/* Finds `name` and checks it is a linear weight [n, k] (or a conv weight [n, c, p, p] with c*p*p == k). */
static vkvlm_status linear_tensor(model_loader *l, const char *name, uint32_t n, uint32_t k,
                                  const vkvlm_safetensors_tensor **out, gpu_weight_dtype *dtype, vkvlm_error *err) {
    const vkvlm_safetensors_tensor *t = NULL;
    vkvlm_status st = vkvlm_checkpoint_get(l->ck, name, &t, err);
    if (st != VKVLM_OK) return st;
    bool conv = t->ndim == 4 && (uint64_t)t->shape[1] * t->shape[2] * t->shape[3] == k;
    if (!conv) st = vkvlm_safetensors_expect_shape(t, 2, (const int64_t[]){n, k}, err);
    else if (t->shape[0] != n) st = vkvlm_safetensors_expect_shape(t, 4, (const int64_t[]){n, t->shape[1], t->shape[2], t->shape[3]}, err);
    if (st == VKVLM_OK) st = dtype_of(t, dtype, err);
    if (st == VKVLM_OK && l->quantize && gpu_weight_dtype_quantized(l->quant) && gpu_quant_shape_ok(l->quant, k))
        *dtype = l->quant;
    *out = t;
    return st;
}

/* The quantized bytes of t ([n, k]) in l->quant: from the cache, else quantized here (and recorded for it).
 * *owned is what the caller frees (NULL for cached bytes, which live in the cache's map). */
static vkvlm_status quantized_bytes(model_loader *l, const vkvlm_safetensors_tensor *t, uint32_t n, uint32_t k,
                                    const void **bytes, void **owned, vkvlm_error *err) {
    uint64_t size = (uint64_t)n * gpu_quant_row_bytes(l->quant, k);
    *owned = NULL;
    l->quantized++;
    if ((*bytes = quant_cache_find(l->cache, t->name, size)) != NULL) return VKVLM_OK;
    gpu_weight_dtype src = GPU_WEIGHT_F32;
    vkvlm_status st = dtype_of(t, &src, err);
    if (st != VKVLM_OK) return st;
    if (!(*owned = malloc(size)))
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "tensor '%s': out of host memory for its %s blocks",
                               t->name, gpu_weight_dtype_name(l->quant));
    double t0 = vkvlm_now_ms();
    st = gpu_quantize_rows(l->quant, src, t->data, n, k, *owned, err);
    l->quant_ms += vkvlm_now_ms() - t0;
    if (st != VKVLM_OK) {
        free(*owned);
        *owned = NULL;
        return vkvlm_error_context(err, "%s: quantizing '%s' to %s", t->file, t->name, gpu_weight_dtype_name(l->quant));
    }
    quant_cache_put(l->cache, t->name, *owned, size);
    *bytes = *owned;
    return VKVLM_OK;
}

/* Writes tensor t's rows into buf at offset, in dtype. 16-bit weights with an odd element count leave the
 * last word half-used: what exists is uploaded, the pad stays zero (never read as a value). */
static vkvlm_status upload_linear(model_loader *l, const vkvlm_safetensors_tensor *t, gpu_weight_dtype dtype,
                                  uint32_t n, uint32_t k, gpu_buffer *buf, uint64_t offset, vkvlm_error *err) {
    if (!gpu_weight_dtype_quantized(dtype)) return gpu_buffer_write(buf, offset, t->data, t->nbytes, err);
    const void *bytes = NULL;
    void *owned = NULL;
    vkvlm_status st = quantized_bytes(l, t, n, k, &bytes, &owned, err);
    if (st == VKVLM_OK) st = gpu_buffer_write(buf, offset, bytes, (uint64_t)n * gpu_quant_row_bytes(dtype, k), err);
    free(owned);
    return st;
}

static uint64_t view_alignment(const model_loader *l) {
    /* The plan pass has no device: assume the largest alignment common devices ask for. */
    uint64_t a = l->dev ? gpu_device_caps(l->dev)->min_storage_offset_alignment : 256;
    return a > 4 ? a : 4;
}

vkvlm_status model_load_linear_stack(model_loader *l, const model_linear_part *parts, int count, uint32_t k,
                                     model_linear *whole, vkvlm_error *err) {
    memset(whole, 0, sizeof *whole);
    enum { MAX_PARTS = 8 };
    const vkvlm_safetensors_tensor *t[MAX_PARTS];
    gpu_weight_dtype dtype[MAX_PARTS];
    uint64_t offset[MAX_PARTS + 1] = {0};
    if (count < 1 || count > MAX_PARTS)
        return vkvlm_error_set(err, VKVLM_ERR_INTERNAL, "linear stack of %d parts (1..%d)", count, MAX_PARTS);
    bool stack = count > 1;
    uint32_t rows = 0;
    for (int i = 0; i < count; i++) {
        memset(parts[i].out, 0, sizeof *parts[i].out);
        vkvlm_status st = linear_tensor(l, parts[i].name, parts[i].n, k, &t[i], &dtype[i], err);
        if (st != VKVLM_OK) return st;
        offset[i + 1] = offset[i] + gpu_weight_bytes(dtype[i], (uint64_t)parts[i].n * k);
        /* every part's view must start at an aligned offset, and all must share one dtype */
        if (dtype[i] != dtype[0] || offset[i] % view_alignment(l)) stack = false;
        rows += parts[i].n;
    }
    if (!stack && count > 1) {
        for (int i = 0; i < count; i++) {
            vkvlm_status st = model_load_linear_stack(l, &parts[i], 1, k, parts[i].out, err);
            if (st != VKVLM_OK) return st;
        }
        return VKVLM_OK;
    }
    uint64_t bytes = offset[count];
    l->weight_bytes += (bytes + 255) & ~(uint64_t)255;
    for (int i = 0; i < count; i++) tick(l);
    if (l->plan_only) return VKVLM_OK;
    const gpu_caps *caps = gpu_device_caps(l->dev);
    gpu_buffer_desc desc = {.size = bytes, .label = parts[0].name};
    vkvlm_status st = gpu_buffer_create(l->dev, &desc, &whole->buffer, err);
    for (int i = 0; i < count && st == VKVLM_OK; i++) {
        st = upload_linear(l, t[i], dtype[i], parts[i].n, k, whole->buffer, offset[i], err);
        /* a part of a stack is a non-owning view; a stack of one is the weight itself */
        if (st == VKVLM_OK && count > 1)
            st = gpu_weight_view(&parts[i].out->view, caps, whole->buffer, offset[i], dtype[i], parts[i].n, k, 0, err);
        if (st != VKVLM_OK) vkvlm_error_context(err, "tensor '%s'", parts[i].name);
    }
    if (st == VKVLM_OK) st = gpu_weight_view(&whole->view, caps, whole->buffer, 0, dtype[0], rows, k, 0, err);
    if (st != VKVLM_OK) {
        for (int i = 0; i < count && count > 1; i++) memset(parts[i].out, 0, sizeof *parts[i].out);
        model_linear_free(whole);
    }
    return st;
}

vkvlm_status model_load_linear(model_loader *l, const char *name, uint32_t n, uint32_t k, model_linear *out,
                               vkvlm_error *err) {
    model_linear_part part = {name, n, out};
    return model_load_linear_stack(l, &part, 1, k, out, err);
}

vkvlm_status model_load_vector(model_loader *l, const char *name, uint64_t count, model_vector *out, vkvlm_error *err) {
    memset(out, 0, sizeof *out);
    const vkvlm_safetensors_tensor *t = NULL;
    vkvlm_status st = vkvlm_checkpoint_get(l->ck, name, &t, err);
    if (st != VKVLM_OK) return st;
    if (t->numel != count) {
        char shape[128];
        size_t used = 0;
        for (int d = 0; d < t->ndim && used < sizeof shape; d++)
            used += (size_t)snprintf(shape + used, sizeof shape - used, "%s%lld", d ? "," : "", (long long)t->shape[d]);
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: tensor '%s' has shape [%s] (%llu values), expected %llu values",
                               t->file, name, t->ndim ? shape : "", (unsigned long long)t->numel,
                               (unsigned long long)count);
    }
    l->weight_bytes += (count * 4 + 255) & ~(uint64_t)255;
    tick(l);
    out->count = count;
    if (l->plan_only) return VKVLM_OK;
    float *host = malloc(count * sizeof *host);
    if (!host) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "tensor '%s': out of host memory", name);
    st = vkvlm_safetensors_read_f32(t, host, count, err);
    gpu_buffer_desc desc = {.size = count * sizeof *host, .label = name};
    if (st == VKVLM_OK) st = gpu_buffer_create(l->dev, &desc, &out->buffer, err);
    if (st == VKVLM_OK) st = gpu_buffer_write(out->buffer, 0, host, desc.size, err);
    free(host);
    if (st != VKVLM_OK) model_vector_free(out);
    return st;
}

vkvlm_status model_buffer(model_loader *l, uint64_t bytes, const char *label, gpu_buffer **out, vkvlm_error *err) {
    *out = NULL;
    if (bytes == 0) bytes = 4;
    l->buffer_bytes += (bytes + 255) & ~(uint64_t)255;
    if (l->plan_only) return VKVLM_OK;
    gpu_buffer_desc desc = {.size = bytes, .label = label};
    return gpu_buffer_create(l->dev, &desc, out, err);
}

void model_linear_free(model_linear *w) {
    gpu_buffer_destroy(w->buffer);
    memset(w, 0, sizeof *w);
}

void model_vector_free(model_vector *v) {
    gpu_buffer_destroy(v->buffer);
    memset(v, 0, sizeof *v);
}
