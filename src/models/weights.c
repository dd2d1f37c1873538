/* weights.c — see weights.h. */
#include "models/weights.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"

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

vkvlm_status model_load_linear(model_loader *l, const char *name, uint32_t n, uint32_t k, model_linear *out,
                               vkvlm_error *err) {
    memset(out, 0, sizeof *out);
    const vkvlm_safetensors_tensor *t = NULL;
    vkvlm_status st = vkvlm_checkpoint_get(l->ck, name, &t, err);
    if (st != VKVLM_OK) return st;
    bool conv = t->ndim == 4 && (uint64_t)t->shape[1] * t->shape[2] * t->shape[3] == k;
    if (!conv) st = vkvlm_safetensors_expect_shape(t, 2, (const int64_t[]){n, k}, err);
    else if (t->shape[0] != n) st = vkvlm_safetensors_expect_shape(t, 4, (const int64_t[]){n, t->shape[1], t->shape[2], t->shape[3]}, err);
    if (st != VKVLM_OK) return st;
    gpu_weight_dtype dtype = GPU_WEIGHT_F32;
    if ((st = dtype_of(t, &dtype, err)) != VKVLM_OK) return st;
    uint64_t bytes = gpu_weight_bytes(dtype, (uint64_t)n * k);
    l->weight_bytes += (bytes + 255) & ~(uint64_t)255;
    tick(l);
    if (l->plan_only) return VKVLM_OK;
    gpu_buffer_desc desc = {.size = bytes, .label = name};
    if ((st = gpu_buffer_create(l->dev, &desc, &out->buffer, err)) != VKVLM_OK) return st;
    /* 16-bit weights with an odd element count leave the last word half-used: upload what exists, the pad
     * stays zero (never read as a value). */
    st = gpu_buffer_write(out->buffer, 0, t->data, t->nbytes, err);
    if (st == VKVLM_OK) st = gpu_weight_view(&out->view, gpu_device_caps(l->dev), out->buffer, 0, dtype, n, k, 0, err);
    if (st != VKVLM_OK) {
        vkvlm_error_context(err, "tensor '%s'", name);
        model_linear_free(out);
    }
    return st;
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
