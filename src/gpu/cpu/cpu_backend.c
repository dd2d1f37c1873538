/* cpu_backend.c — the reference backend: buffers are host memory, a command is a list of recorded
 * operations that submit runs in order on the calling thread. Timings are host wall-clock per operation.
 * It exists to be obviously correct (the oracle of every kernel test) and the fallback when no GPU works;
 * it is not meant to be fast. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/status.h"
#include "gpu/cpu/cpu_kernels.h"
#include "gpu/gpu_backend.h"

typedef struct cpu_op {
    gpu_dispatch_desc dispatch; /* kernel GPU_KERNEL_COUNT: a copy */
    uint8_t params[128];        /* copy of the parameter block: the caller's may be gone at submit */
    gpu_buffer *copy_dst, *copy_src;
    uint64_t copy_dst_offset, copy_src_offset, copy_size;
    int profile_slot;
} cpu_op;

typedef struct cpu_cmd {
    cpu_op *ops;
    int count, capacity;
} cpu_cmd;

static vkvlm_status cpu_context_init(gpu_context *ctx, vkvlm_error *err) {
    gpu_caps caps = {0};
    caps.backend = GPU_BACKEND_CPU;
    snprintf(caps.name, sizeof caps.name, "CPU reference (plain C)");
    caps.type = GPU_DEVICE_CPU;
    snprintf(caps.driver_name, sizeof caps.driver_name, "vkvlm-cpu");
    snprintf(caps.driver_info, sizeof caps.driver_info, "naive reference loops");
    caps.subgroup_size = caps.subgroup_min_size = caps.subgroup_max_size = 1;
    caps.fp16_arithmetic = caps.int8_arithmetic = caps.storage_16bit = caps.storage_8bit = true;
    caps.max_shared_bytes = 1u << 20;
    for (int a = 0; a < 3; a++) {
        caps.max_workgroup_size[a] = 1024;
        caps.max_workgroup_count[a] = UINT32_MAX;
    }
    caps.max_workgroup_invocations = 1024;
    caps.max_storage_buffer_range = UINT64_C(1) << 40;
    caps.max_storage_buffers = GPU_MAX_BINDINGS; /* no limit of its own: the kernel table's maximum */
    caps.max_allocation_bytes = UINT64_C(1) << 40;
    caps.max_push_constant_bytes = sizeof ((cpu_op *)0)->params;
    caps.min_storage_offset_alignment = 4;
    caps.timestamps = true;
    caps.timestamp_period_ns = 1.0;
    caps.unified_memory = true;
    return gpu_context_add_device(ctx, &caps, err);
}

static void cpu_context_shutdown(gpu_context *ctx) { (void)ctx; }

static vkvlm_status cpu_device_create(gpu_device *dev, int backend_index, const gpu_device_desc *desc,
                                      vkvlm_error *err) {
    return VKVLM_OK;
}

static void cpu_device_destroy(gpu_device *dev) { (void)dev; }

static vkvlm_status cpu_buffer_create(gpu_buffer *buf, vkvlm_error *err) {
    /* Round up to 16 bytes so vector-width reads of the last element stay inside the allocation. */
    uint64_t bytes = (buf->size + 15) & ~(uint64_t)15;
    if (bytes > SIZE_MAX) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "buffer %s: too large", buf->label);
    buf->impl = calloc(1, (size_t)bytes);
    if (!buf->impl)
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "buffer %s: cannot allocate %llu bytes of host memory",
                               buf->label, (unsigned long long)bytes);
    buf->allocated = bytes;
    return VKVLM_OK;
}

static void cpu_buffer_destroy(gpu_buffer *buf) { free(buf->impl); }

static vkvlm_status cpu_buffer_write(gpu_buffer *buf, uint64_t offset, const void *data, uint64_t size,
                                     vkvlm_error *err) {
    memcpy((uint8_t *)buf->impl + offset, data, (size_t)size);
    return VKVLM_OK;
}

static vkvlm_status cpu_buffer_read(gpu_buffer *buf, uint64_t offset, void *data, uint64_t size, vkvlm_error *err) {
    memcpy(data, (const uint8_t *)buf->impl + offset, (size_t)size);
    return VKVLM_OK;
}

static vkvlm_status cpu_cmd_begin(gpu_cmd *cmd, vkvlm_error *err) {
    cmd->impl = calloc(1, sizeof(cpu_cmd));
    if (!cmd->impl) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "command: out of host memory");
    return VKVLM_OK;
}

static void cpu_cmd_barrier(gpu_cmd *cmd) { (void)cmd; /* ops run in order: nothing to wait for */ }

static cpu_op *cpu_op_push(cpu_cmd *c) {
    if (c->count == c->capacity) {
        int capacity = c->capacity ? c->capacity * 2 : 32;
        cpu_op *grown = realloc(c->ops, (size_t)capacity * sizeof *grown);
        if (!grown) return NULL;
        c->ops = grown;
        c->capacity = capacity;
    }
    cpu_op *op = &c->ops[c->count++];
    memset(op, 0, sizeof *op);
    return op;
}

static vkvlm_status cpu_cmd_dispatch(gpu_cmd *cmd, const gpu_dispatch_desc *desc, int profile_slot,
                                     vkvlm_error *err) {
    if (!cpu_kernel_lookup(desc->kernel))
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "cpu backend: kernel %s has no reference",
                               gpu_kernel_get(desc->kernel)->name);
    if (desc->params_size > sizeof ((cpu_op *)0)->params)
        return vkvlm_error_set(err, VKVLM_ERR_INTERNAL, "cpu backend: parameter block too large");
    cpu_op *op = cpu_op_push(cmd->impl);
    if (!op) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "command: out of host memory");
    op->dispatch = *desc;
    memcpy(op->params, desc->params, desc->params_size);
    op->dispatch.params = NULL; /* the ops array may move when it grows: submit points at op->params then */
    op->profile_slot = profile_slot;
    return VKVLM_OK;
}

static vkvlm_status cpu_cmd_copy(gpu_cmd *cmd, gpu_buffer *dst, uint64_t dst_offset, gpu_buffer *src,
                                 uint64_t src_offset, uint64_t size, int profile_slot, vkvlm_error *err) {
    cpu_op *op = cpu_op_push(cmd->impl);
    if (!op) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "command: out of host memory");
    op->dispatch.kernel = GPU_KERNEL_COUNT;
    op->copy_dst = dst;
    op->copy_src = src;
    op->copy_dst_offset = dst_offset;
    op->copy_src_offset = src_offset;
    op->copy_size = size;
    op->profile_slot = profile_slot;
    return VKVLM_OK;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static vkvlm_status cpu_cmd_submit(gpu_cmd *cmd, vkvlm_error *err) {
    cpu_cmd *c = cmd->impl;
    for (int i = 0; i < c->count; i++) {
        cpu_op *op = &c->ops[i];
        double t0 = now_ms();
        if (op->dispatch.kernel == GPU_KERNEL_COUNT) {
            memmove((uint8_t *)op->copy_dst->impl + op->copy_dst_offset,
                    (const uint8_t *)op->copy_src->impl + op->copy_src_offset, (size_t)op->copy_size);
        } else {
            cpu_kernel_call call = {.params = op->params, .spec = op->dispatch.spec};
            const gpu_kernel_info *info = gpu_kernel_get(op->dispatch.kernel);
            for (uint32_t b = 0; b < info->bindings; b++) {
                const gpu_binding *bind = &op->dispatch.bindings[b];
                call.bindings[b] = (uint8_t *)bind->buffer->impl + bind->offset;
                call.binding_bytes[b] = bind->size;
            }
            cpu_kernel_lookup(op->dispatch.kernel)(&call);
        }
        cmd->profile[op->profile_slot].ms = now_ms() - t0;
    }
    return VKVLM_OK;
}

static vkvlm_status cpu_cmd_wait(gpu_cmd *cmd, vkvlm_error *err) { return VKVLM_OK; }

static void cpu_cmd_destroy(gpu_cmd *cmd) {
    cpu_cmd *c = cmd->impl;
    if (!c) return;
    free(c->ops);
    free(c);
}

const gpu_backend_iface gpu_cpu_backend = {
    .kind = GPU_BACKEND_CPU,
    .context_init = cpu_context_init,
    .context_shutdown = cpu_context_shutdown,
    .device_create = cpu_device_create,
    .device_destroy = cpu_device_destroy,
    .buffer_create = cpu_buffer_create,
    .buffer_destroy = cpu_buffer_destroy,
    .buffer_write = cpu_buffer_write,
    .buffer_read = cpu_buffer_read,
    .cmd_begin = cpu_cmd_begin,
    .cmd_barrier = cpu_cmd_barrier,
    .cmd_dispatch = cpu_cmd_dispatch,
    .cmd_copy = cpu_cmd_copy,
    .cmd_submit = cpu_cmd_submit,
    .cmd_wait = cpu_cmd_wait,
    .cmd_destroy = cpu_cmd_destroy,
};
