/* gpu.c — the backend-neutral layer of gpu.h: device list and selection, argument checks, bounds checks,
 * memory accounting, automatic barriers and the profile list. The one place that chooses a backend. */
#define _POSIX_C_SOURCE 200809L
#include "gpu/gpu_backend.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/status.h"

/* The wasm module (Emscripten) has no Vulkan: WebGPU takes its place, the CPU reference stays. */
#ifdef __EMSCRIPTEN__
#define VKVLM_HAS_VULKAN 0
#define VKVLM_HAS_WEBGPU 1
#else
#define VKVLM_HAS_VULKAN 1
#define VKVLM_HAS_WEBGPU 0
#endif

static const gpu_backend_iface *backend_iface(gpu_backend_kind kind) {
    switch (kind) {
#if VKVLM_HAS_VULKAN
    case GPU_BACKEND_VULKAN: return &gpu_vulkan_backend;
#endif
#if VKVLM_HAS_WEBGPU
    case GPU_BACKEND_WEBGPU: return &gpu_webgpu_backend;
#endif
    case GPU_BACKEND_CPU: return &gpu_cpu_backend;
    default: return NULL; /* WebGPU exists only in the Emscripten build, Vulkan only in the native one */
    }
}

const char *gpu_backend_name(gpu_backend_kind kind) {
    switch (kind) {
    case GPU_BACKEND_VULKAN: return "vulkan";
    case GPU_BACKEND_WEBGPU: return "webgpu";
    case GPU_BACKEND_CPU: return "cpu";
    default: return "default";
    }
}

bool gpu_backend_parse(const char *name, gpu_backend_kind *out) {
    static const gpu_backend_kind kinds[] = {GPU_BACKEND_VULKAN, GPU_BACKEND_WEBGPU, GPU_BACKEND_CPU};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (name && strcmp(name, gpu_backend_name(kinds[i])) == 0) {
            *out = kinds[i];
            return true;
        }
    }
    return false;
}

const char *gpu_device_type_name(gpu_device_type type) {
    switch (type) {
    case GPU_DEVICE_DISCRETE: return "discrete";
    case GPU_DEVICE_INTEGRATED: return "integrated";
    case GPU_DEVICE_VIRTUAL: return "virtual";
    case GPU_DEVICE_CPU: return "cpu";
    default: return "other";
    }
}

const char *gpu_vendor_name(uint32_t vendor_id) {
    switch (vendor_id) {
    case 0x10DE: return "NVIDIA";
    case 0x1002: return "AMD";
    case 0x1022: return "AMD";
    case 0x8086: return "Intel";
    case 0x13B5: return "ARM";
    case 0x5143: return "Qualcomm";
    case 0x1010: return "Imagination";
    case 0x106B: return "Apple";
    case 0x144D: return "Samsung";
    case 0x1AE0: return "Google";
    case 0x10005: return "Mesa";
    case 0: return "none";
    default: return "unknown";
    }
}

/* ---------------------------------------------------------------- context */

static gpu_context_desc context_desc_defaults(const gpu_context_desc *desc) {
    gpu_context_desc d = desc ? *desc : (gpu_context_desc){0};
    if (d.validation == 0) {
        const char *env = getenv("VKVLM_VALIDATE");
        d.validation = env && strcmp(env, "1") == 0 ? 1 : -1;
    }
    return d;
}

vkvlm_status gpu_context_add_device(gpu_context *ctx, const gpu_caps *caps, vkvlm_error *err) {
    if (ctx->device_count == ctx->device_capacity) {
        int capacity = ctx->device_capacity ? ctx->device_capacity * 2 : 8;
        gpu_device_info *grown = realloc(ctx->devices, (size_t)capacity * sizeof *grown);
        if (!grown) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "device list: out of host memory");
        ctx->devices = grown;
        ctx->device_capacity = capacity;
    }
    int backend_index = 0;
    for (int i = 0; i < ctx->device_count; i++) backend_index += ctx->devices[i].backend == caps->backend;
    gpu_device_info info = {caps->backend, backend_index, *caps};
    /* forced quirks, the quirks' effects, then the limit profile: once, before anything chooses from these
     * caps. The CPU reference stays the oracle. */
    if (caps->backend != GPU_BACKEND_CPU) {
        gpu_quirks_finish(&info.caps, &ctx->quirks);
        vkvlm_status st = gpu_limits_check(&ctx->limits, &info.caps, err);
        if (st != VKVLM_OK) return st;
        gpu_limits_apply(&ctx->limits, &info.caps);
    }
    ctx->devices[ctx->device_count++] = info;
    return VKVLM_OK;
}

vkvlm_status gpu_context_create(const gpu_context_desc *desc, gpu_context **out, vkvlm_error *err) {
    *out = NULL;
    gpu_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "gpu context: out of host memory");
    ctx->desc = context_desc_defaults(desc);
    ctx->validation = ctx->desc.validation > 0;
    atomic_init(&ctx->validation_messages, 0);
    const char *limits = ctx->desc.limits ? ctx->desc.limits : getenv("VKVLM_LIMITS");
    vkvlm_status st = gpu_limits_parse(limits, &ctx->limits, err);
    const char *quirks = ctx->desc.quirks ? ctx->desc.quirks : getenv("VKVLM_QUIRKS");
    if (st == VKVLM_OK) st = gpu_quirks_parse(quirks, &ctx->quirks, err);
    if (st != VKVLM_OK) {
        free(ctx);
        return st;
    }
#if VKVLM_HAS_VULKAN
    if (ctx->desc.no_vulkan) {
        snprintf(ctx->vulkan_note, sizeof ctx->vulkan_note, "Vulkan disabled by the caller");
    } else {
        st = gpu_vulkan_backend.context_init(ctx, err);
    }
#else
    snprintf(ctx->vulkan_note, sizeof ctx->vulkan_note, "Vulkan is not built into this (wasm) build");
#endif
#if VKVLM_HAS_WEBGPU
    if (st == VKVLM_OK) st = gpu_webgpu_backend.context_init(ctx, err);
#endif
    if (st == VKVLM_OK) st = gpu_cpu_backend.context_init(ctx, err);
    if (st != VKVLM_OK) {
        gpu_context_destroy(ctx);
        return st;
    }
    *out = ctx;
    return VKVLM_OK;
}

void gpu_context_destroy(gpu_context *ctx) {
    if (!ctx) return;
    gpu_cpu_backend.context_shutdown(ctx);
#if VKVLM_HAS_WEBGPU
    gpu_webgpu_backend.context_shutdown(ctx);
#endif
#if VKVLM_HAS_VULKAN
    gpu_vulkan_backend.context_shutdown(ctx);
#endif
    free(ctx->devices);
    free(ctx);
}

int gpu_context_device_count(const gpu_context *ctx) { return ctx ? ctx->device_count : 0; }

const gpu_device_info *gpu_context_device(const gpu_context *ctx, int index) {
    if (!ctx || index < 0 || index >= ctx->device_count) return NULL;
    return &ctx->devices[index];
}

const char *gpu_context_limits(const gpu_context *ctx) { return ctx ? ctx->limits.text : ""; }

const char *gpu_context_vulkan_note(const gpu_context *ctx) {
    return ctx && ctx->vulkan_note[0] ? ctx->vulkan_note : NULL;
}

bool gpu_context_validation_enabled(const gpu_context *ctx) { return ctx && ctx->validation; }

uint64_t gpu_context_validation_messages(const gpu_context *ctx) {
    return ctx ? (uint64_t)atomic_load(&((gpu_context *)ctx)->validation_messages) : 0;
}

/* Lower is preferred: the default device order of DESIGN.md (discrete, integrated, virtual, other, CPU). */
static int type_rank(gpu_device_type type) {
    switch (type) {
    case GPU_DEVICE_DISCRETE: return 0;
    case GPU_DEVICE_INTEGRATED: return 1;
    case GPU_DEVICE_VIRTUAL: return 2;
    case GPU_DEVICE_OTHER: return 3;
    default: return 4;
    }
}

static bool contains_nocase(const char *haystack, const char *needle) {
    size_t n = strlen(needle);
    for (const char *p = haystack; *p; p++)
        if (strncasecmp(p, needle, n) == 0) return true;
    return n == 0;
}

static bool parse_index(const char *s, int *out) {
    if (!*s) return false;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p) || v > 100000) return false;
        v = v * 10 + (*p - '0');
    }
    *out = (int)v;
    return true;
}

vkvlm_status gpu_context_select(const gpu_context *ctx, gpu_backend_kind backend, const char *selector,
                                int *out_index, vkvlm_error *err) {
    *out_index = -1;
    if (backend == GPU_BACKEND_DEFAULT) {
        bool any_vulkan = false;
        for (int i = 0; i < ctx->device_count; i++) any_vulkan |= ctx->devices[i].backend == GPU_BACKEND_VULKAN;
        backend = any_vulkan ? GPU_BACKEND_VULKAN : GPU_BACKEND_CPU;
#if VKVLM_HAS_WEBGPU
        /* In the wasm build the GPU is WebGPU's adapter. */
        for (int i = 0; i < ctx->device_count; i++)
            if (ctx->devices[i].backend == GPU_BACKEND_WEBGPU) backend = GPU_BACKEND_WEBGPU;
#endif
    }
    int count = 0;
    for (int i = 0; i < ctx->device_count; i++) count += ctx->devices[i].backend == backend;
    if (count == 0) {
        const char *why = backend == GPU_BACKEND_VULKAN && ctx->vulkan_note[0] ? ctx->vulkan_note : NULL;
        return vkvlm_error_set(err, VKVLM_ERR_NO_DEVICE, "backend %s has no device%s%s", gpu_backend_name(backend),
                               why ? ": " : "", why ? why : "");
    }
    if (!selector || !*selector) {
        int best = -1;
        for (int i = 0; i < ctx->device_count; i++) {
            if (ctx->devices[i].backend != backend) continue;
            if (best < 0 || type_rank(ctx->devices[i].caps.type) < type_rank(ctx->devices[best].caps.type)) best = i;
        }
        *out_index = best;
        return VKVLM_OK;
    }
    int wanted;
    if (parse_index(selector, &wanted)) {
        for (int i = 0; i < ctx->device_count; i++) {
            if (ctx->devices[i].backend == backend && ctx->devices[i].backend_index == wanted) {
                *out_index = i;
                return VKVLM_OK;
            }
        }
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--device %s: backend %s has %d device%s (0..%d)", selector,
                               gpu_backend_name(backend), count, count == 1 ? "" : "s", count - 1);
    }
    for (int i = 0; i < ctx->device_count; i++) {
        if (ctx->devices[i].backend == backend && contains_nocase(ctx->devices[i].caps.name, selector)) {
            *out_index = i;
            return VKVLM_OK;
        }
    }
    return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--device %s: no %s device name contains \"%s\" (see vkvlm devices)",
                           selector, gpu_backend_name(backend), selector);
}

/* ---------------------------------------------------------------- device */

vkvlm_status gpu_device_create(gpu_context *ctx, int index, const gpu_device_desc *desc, gpu_device **out,
                               vkvlm_error *err) {
    *out = NULL;
    const gpu_device_info *info = gpu_context_device(ctx, index);
    if (!info) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "device index %d out of range", index);
    const gpu_backend_iface *iface = backend_iface(info->backend);
    if (!iface)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "backend %s is not built in", gpu_backend_name(info->backend));
    gpu_device *dev = calloc(1, sizeof *dev);
    if (!dev) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "device: out of host memory");
    dev->ctx = ctx;
    dev->index = index;
    dev->iface = iface;
    dev->caps = info->caps;
    gpu_device_desc d = desc ? *desc : (gpu_device_desc){0};
    vkvlm_status st = iface->device_create(dev, info->backend_index, &d, err);
    if (st != VKVLM_OK) {
        vkvlm_error_context(err, "%s", info->caps.name);
        gpu_device_destroy(dev);
        return st;
    }
    *out = dev;
    return VKVLM_OK;
}

void gpu_device_destroy(gpu_device *dev) {
    if (!dev) return;
    dev->iface->device_destroy(dev);
    free(dev);
}

const gpu_caps *gpu_device_caps(const gpu_device *dev) { return &dev->caps; }
gpu_context *gpu_device_context(const gpu_device *dev) { return dev->ctx; }
uint64_t gpu_device_memory_in_use(const gpu_device *dev) { return dev->memory_in_use; }
uint64_t gpu_device_memory_peak(const gpu_device *dev) { return dev->memory_peak; }

/* ---------------------------------------------------------------- buffers */

vkvlm_status gpu_buffer_create(gpu_device *dev, const gpu_buffer_desc *desc, gpu_buffer **out, vkvlm_error *err) {
    *out = NULL;
    const char *label = desc->label ? desc->label : "buffer";
    if (desc->size == 0) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "buffer %s: size 0", label);
    if (desc->kind > GPU_BUFFER_DOWNLOAD) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "buffer %s: bad kind", label);
    gpu_buffer *buf = calloc(1, sizeof *buf);
    if (!buf) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "buffer %s: out of host memory", label);
    buf->dev = dev;
    buf->size = desc->size;
    buf->kind = desc->kind;
    snprintf(buf->label, sizeof buf->label, "%s", label);
    vkvlm_status st = dev->iface->buffer_create(buf, err);
    if (st != VKVLM_OK) {
        free(buf);
        return st;
    }
    dev->memory_in_use += buf->allocated;
    if (dev->memory_in_use > dev->memory_peak) dev->memory_peak = dev->memory_in_use;
    *out = buf;
    return VKVLM_OK;
}

void gpu_buffer_destroy(gpu_buffer *buf) {
    if (!buf) return;
    buf->dev->memory_in_use -= buf->allocated;
    buf->dev->iface->buffer_destroy(buf);
    free(buf);
}

uint64_t gpu_buffer_size(const gpu_buffer *buf) { return buf->size; }
const char *gpu_buffer_label(const gpu_buffer *buf) { return buf->label; }

static vkvlm_status check_range(const gpu_buffer *buf, uint64_t offset, uint64_t size, const char *what,
                                vkvlm_error *err) {
    if (offset > buf->size || size > buf->size - offset)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "buffer %s: %s of %llu bytes at offset %llu exceeds its %llu bytes",
                               buf->label, what, (unsigned long long)size, (unsigned long long)offset,
                               (unsigned long long)buf->size);
    return VKVLM_OK;
}

vkvlm_status gpu_buffer_write(gpu_buffer *buf, uint64_t offset, const void *data, uint64_t size, vkvlm_error *err) {
    vkvlm_status st = check_range(buf, offset, size, "write", err);
    if (st != VKVLM_OK) return st;
    if (size == 0) return VKVLM_OK;
    return buf->dev->iface->buffer_write(buf, offset, data, size, err);
}

vkvlm_status gpu_buffer_read(gpu_buffer *buf, uint64_t offset, void *data, uint64_t size, vkvlm_error *err) {
    vkvlm_status st = check_range(buf, offset, size, "read", err);
    if (st != VKVLM_OK) return st;
    if (size == 0) return VKVLM_OK;
    return buf->dev->iface->buffer_read(buf, offset, data, size, err);
}

/* ---------------------------------------------------------------- commands */

vkvlm_status gpu_cmd_begin(gpu_device *dev, gpu_cmd **out, vkvlm_error *err) {
    *out = NULL;
    gpu_cmd *cmd = calloc(1, sizeof *cmd);
    if (!cmd) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "command: out of host memory");
    cmd->dev = dev;
    cmd->state = GPU_CMD_RECORDING;
    vkvlm_status st = dev->iface->cmd_begin(cmd, err);
    if (st != VKVLM_OK) {
        free(cmd);
        return st;
    }
    *out = cmd;
    return VKVLM_OK;
}

static bool ranges_overlap(const gpu_range_list *list, const gpu_range *r) {
    for (int i = 0; i < list->count; i++) {
        const gpu_range *o = &list->items[i];
        if (o->buffer == r->buffer && o->begin < r->end && r->begin < o->end) return true;
    }
    return false;
}

static bool range_push(gpu_range_list *list, gpu_range r) {
    if (list->count == list->capacity) {
        int capacity = list->capacity ? list->capacity * 2 : 16;
        gpu_range *grown = realloc(list->items, (size_t)capacity * sizeof *grown);
        if (!grown) return false;
        list->items = grown;
        list->capacity = capacity;
    }
    list->items[list->count++] = r;
    return true;
}

/* Fails the command: recording stops, submit reports the first failure. */
static vkvlm_status cmd_fail(gpu_cmd *cmd, vkvlm_error *err) {
    if (err && err->status != VKVLM_OK && cmd->failure.status == VKVLM_OK) cmd->failure = *err;
    cmd->state = GPU_CMD_FAILED;
    return err ? err->status : VKVLM_ERR_INTERNAL;
}

/* Inserts a barrier when this operation's ranges conflict with what ran since the last one, then records
 * its ranges. reads/writes: the operation's ranges. */
static vkvlm_status track_hazards(gpu_cmd *cmd, const gpu_range *reads, int n_reads, const gpu_range *writes,
                                  int n_writes, vkvlm_error *err) {
    bool conflict = false;
    for (int i = 0; i < n_reads && !conflict; i++) conflict = ranges_overlap(&cmd->writes, &reads[i]);
    for (int i = 0; i < n_writes && !conflict; i++)
        conflict = ranges_overlap(&cmd->writes, &writes[i]) || ranges_overlap(&cmd->reads, &writes[i]);
    if (conflict) {
        cmd->dev->iface->cmd_barrier(cmd);
        cmd->barriers++;
        cmd->reads.count = 0;
        cmd->writes.count = 0;
    }
    for (int i = 0; i < n_reads; i++)
        if (!range_push(&cmd->reads, reads[i])) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "command: out of host memory");
    for (int i = 0; i < n_writes; i++)
        if (!range_push(&cmd->writes, writes[i])) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "command: out of host memory");
    return VKVLM_OK;
}

/* desc: the dispatch (NULL for a copy), whose constants and grid the entry keeps. */
static int profile_push(gpu_cmd *cmd, const char *label, gpu_kernel kernel, const gpu_dispatch_desc *desc) {
    if (cmd->profile_count == cmd->profile_capacity) {
        int capacity = cmd->profile_capacity ? cmd->profile_capacity * 2 : 64;
        gpu_profile_entry *grown = realloc(cmd->profile, (size_t)capacity * sizeof *grown);
        if (!grown) return -1;
        cmd->profile = grown;
        cmd->profile_capacity = capacity;
    }
    gpu_profile_entry e = {.label = label, .kernel = kernel};
    if (desc) {
        memcpy(e.spec, desc->spec, sizeof e.spec);
        memcpy(e.groups, desc->groups, sizeof e.groups);
    }
    cmd->profile[cmd->profile_count] = e;
    return cmd->profile_count++;
}

static vkvlm_status check_recording(gpu_cmd *cmd, vkvlm_error *err) {
    if (cmd->state == GPU_CMD_FAILED)
        return vkvlm_error_set(err, cmd->failure.status, "command already failed: %s", cmd->failure.message);
    if (cmd->state != GPU_CMD_RECORDING) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "command is not recording");
    return VKVLM_OK;
}

/* Replaces *bind by an aligned scratch copy of its range (recorded as a copy into the scratch). */
static vkvlm_status bounce(gpu_cmd *cmd, gpu_binding *bind, vkvlm_error *err) {
    if (cmd->bounce_count == cmd->bounce_capacity) {
        int capacity = cmd->bounce_capacity ? cmd->bounce_capacity * 2 : 8;
        gpu_buffer **grown = realloc(cmd->bounces, (size_t)capacity * sizeof *grown);
        if (!grown) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "command: out of host memory");
        cmd->bounces = grown;
        cmd->bounce_capacity = capacity;
    }
    gpu_buffer *scratch = NULL;
    gpu_buffer_desc desc = {.size = (bind->size + 3) & ~(uint64_t)3, .label = "bounce"};
    vkvlm_status st = gpu_buffer_create(cmd->dev, &desc, &scratch, err);
    if (st != VKVLM_OK) return st;
    cmd->bounces[cmd->bounce_count++] = scratch;
    st = gpu_cmd_copy(cmd, scratch, 0, bind->buffer, bind->offset, bind->size, err);
    *bind = (gpu_binding){scratch, 0, bind->size};
    return st;
}

vkvlm_status gpu_kernel_check(const gpu_caps *caps, gpu_kernel kernel, vkvlm_error *err) {
    const gpu_kernel_info *info = gpu_kernel_get(kernel);
    if (!info) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "unknown kernel id %d", (int)kernel);
    /* 0: a backend that does not know its limit (none leaves it unset today) */
    if (caps->max_storage_buffers && info->bindings > caps->max_storage_buffers)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                               "kernel %s needs %u storage buffers in one shader stage; %s allows %u "
                               "(maxPerStageDescriptorStorageBuffers, or --limits storage_buffers)",
                               info->name, info->bindings, caps->name, caps->max_storage_buffers);
    return VKVLM_OK;
}

vkvlm_status gpu_cmd_dispatch(gpu_cmd *cmd, const gpu_dispatch_desc *desc, vkvlm_error *err) {
    vkvlm_status st = check_recording(cmd, err);
    if (st != VKVLM_OK) return st;
    const gpu_kernel_info *info = gpu_kernel_get(desc->kernel);
    if (!info) {
        vkvlm_error_set(err, VKVLM_ERR_USAGE, "dispatch: unknown kernel id %d", (int)desc->kernel);
        return cmd_fail(cmd, err);
    }
    /* before any pipeline exists: a layout with more bindings than the stage allows is invalid Vulkan */
    if (gpu_kernel_check(&cmd->dev->caps, desc->kernel, err) != VKVLM_OK) return cmd_fail(cmd, err);
    if (desc->params_size != info->params_size || (info->params_size && !desc->params)) {
        vkvlm_error_set(err, VKVLM_ERR_USAGE, "dispatch %s: parameter block of %u bytes, kernel takes %u", info->name,
                        desc->params_size, info->params_size);
        return cmd_fail(cmd, err);
    }
    const gpu_caps *caps = &cmd->dev->caps;
    gpu_dispatch_desc resolved = *desc;
    gpu_range reads[GPU_MAX_BINDINGS], writes[GPU_MAX_BINDINGS];
    gpu_binding bounced[GPU_MAX_BINDINGS] = {{0}}; /* the original ranges of bounced bindings */
    int n_reads = 0, n_writes = 0;
    for (uint32_t b = 0; b < GPU_MAX_BINDINGS; b++) {
        gpu_binding *bind = &resolved.bindings[b];
        if (b >= info->bindings) {
            if (bind->buffer) {
                vkvlm_error_set(err, VKVLM_ERR_USAGE, "dispatch %s: binding %u given, kernel has %u", info->name, b,
                                info->bindings);
                return cmd_fail(cmd, err);
            }
            continue;
        }
        if (!bind->buffer) {
            vkvlm_error_set(err, VKVLM_ERR_USAGE, "dispatch %s: binding %u has no buffer", info->name, b);
            return cmd_fail(cmd, err);
        }
        if (bind->buffer->dev != cmd->dev) {
            vkvlm_error_set(err, VKVLM_ERR_USAGE, "dispatch %s: binding %u (%s) belongs to another device", info->name,
                            b, bind->buffer->label);
            return cmd_fail(cmd, err);
        }
        if (bind->offset > bind->buffer->size) {
            vkvlm_error_set(err, VKVLM_ERR_USAGE, "dispatch %s: binding %u (%s) offset %llu beyond its %llu bytes",
                            info->name, b, bind->buffer->label, (unsigned long long)bind->offset,
                            (unsigned long long)bind->buffer->size);
            return cmd_fail(cmd, err);
        }
        if (bind->size == 0) bind->size = bind->buffer->size - bind->offset;
        if (check_range(bind->buffer, bind->offset, bind->size, "binding", err) != VKVLM_OK) return cmd_fail(cmd, err);
        if (bind->size == 0 || bind->size > caps->max_storage_buffer_range) {
            vkvlm_error_set(err, VKVLM_ERR_LIMIT,
                            "dispatch %s: binding %u (%s) is %llu bytes; the device binds at most %llu (split it by rows)",
                            info->name, b, bind->buffer->label, (unsigned long long)bind->size,
                            (unsigned long long)caps->max_storage_buffer_range);
            return cmd_fail(cmd, err);
        }
        if (caps->min_storage_offset_alignment > 1 && bind->offset % caps->min_storage_offset_alignment) {
            /* The device cannot bind here (minStorageBufferOffsetAlignment: 256 on SwiftShader and many mobile
             * GPUs, while a model's row views start at any row): bounce the range through aligned scratch,
             * copied in before the dispatch and, when written, back after it. */
            bounced[b] = *bind;
            if (bounce(cmd, bind, err) != VKVLM_OK) return cmd_fail(cmd, err);
        }
        gpu_range r = {bind->buffer, bind->offset, bind->offset + bind->size};
        if (info->writes_mask & (1u << b)) writes[n_writes++] = r;
        else reads[n_reads++] = r;
    }
    for (int a = 0; a < 3; a++) {
        if (resolved.groups[a] == 0) resolved.groups[a] = 1;
        if (resolved.groups[a] > caps->max_workgroup_count[a]) {
            vkvlm_error_set(err, VKVLM_ERR_LIMIT, "dispatch %s: %u workgroups on axis %d, the device allows %u",
                            info->name, resolved.groups[a], a, caps->max_workgroup_count[a]);
            return cmd_fail(cmd, err);
        }
    }
    if (!resolved.label) resolved.label = info->name;
    if (track_hazards(cmd, reads, n_reads, writes, n_writes, err) != VKVLM_OK) return cmd_fail(cmd, err);
    int slot = profile_push(cmd, resolved.label, desc->kernel, &resolved);
    if (slot < 0) {
        vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "command: out of host memory");
        return cmd_fail(cmd, err);
    }
    st = cmd->dev->iface->cmd_dispatch(cmd, &resolved, slot, err);
    if (st != VKVLM_OK) return cmd_fail(cmd, err);
    for (uint32_t b = 0; b < info->bindings && st == VKVLM_OK; b++)
        if (bounced[b].buffer && (info->writes_mask & (1u << b)))
            st = gpu_cmd_copy(cmd, bounced[b].buffer, bounced[b].offset, resolved.bindings[b].buffer, 0, bounced[b].size, err);
    return st;
}

vkvlm_status gpu_cmd_copy(gpu_cmd *cmd, gpu_buffer *dst, uint64_t dst_offset, gpu_buffer *src, uint64_t src_offset,
                          uint64_t size, vkvlm_error *err) {
    vkvlm_status st = check_recording(cmd, err);
    if (st != VKVLM_OK) return st;
    if (size == 0) return VKVLM_OK;
    if (check_range(src, src_offset, size, "copy source", err) != VKVLM_OK ||
        check_range(dst, dst_offset, size, "copy destination", err) != VKVLM_OK)
        return cmd_fail(cmd, err);
    gpu_range read = {src, src_offset, src_offset + size}, write = {dst, dst_offset, dst_offset + size};
    if (track_hazards(cmd, &read, 1, &write, 1, err) != VKVLM_OK) return cmd_fail(cmd, err);
    int slot = profile_push(cmd, "copy", GPU_KERNEL_COUNT, NULL);
    if (slot < 0) {
        vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "command: out of host memory");
        return cmd_fail(cmd, err);
    }
    st = cmd->dev->iface->cmd_copy(cmd, dst, dst_offset, src, src_offset, size, slot, err);
    if (st != VKVLM_OK) return cmd_fail(cmd, err);
    return VKVLM_OK;
}

/* Says what was running when a submit or wait failed: the device, the command's size and its last kernel. */
static void cmd_context(const gpu_cmd *cmd, vkvlm_error *err) {
    const char *last = cmd->profile_count ? cmd->profile[cmd->profile_count - 1].label : "nothing";
    vkvlm_error_context(err, "%s: a command of %d operations (last: %s)", cmd->dev->caps.name, cmd->profile_count, last);
}

vkvlm_status gpu_cmd_submit(gpu_cmd *cmd, vkvlm_error *err) {
    vkvlm_status st = check_recording(cmd, err);
    if (st != VKVLM_OK) return st;
    st = cmd->dev->iface->cmd_submit(cmd, err);
    if (st != VKVLM_OK) {
        cmd_context(cmd, err);
        return cmd_fail(cmd, err);
    }
    cmd->state = GPU_CMD_SUBMITTED;
    return VKVLM_OK;
}

vkvlm_status gpu_cmd_wait(gpu_cmd *cmd, vkvlm_error *err) {
    if (cmd->state == GPU_CMD_DONE) return VKVLM_OK;
    if (cmd->state != GPU_CMD_SUBMITTED) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "command was not submitted");
    vkvlm_status st = cmd->dev->iface->cmd_wait(cmd, err);
    cmd->state = st == VKVLM_OK ? GPU_CMD_DONE : GPU_CMD_FAILED;
    if (st != VKVLM_OK) cmd_context(cmd, err);
    return st;
}

const gpu_profile_entry *gpu_cmd_profile(const gpu_cmd *cmd, int *count) {
    *count = cmd->state == GPU_CMD_DONE ? cmd->profile_count : 0;
    return cmd->profile;
}

uint32_t gpu_cmd_barrier_count(const gpu_cmd *cmd) { return cmd->barriers; }
gpu_device *gpu_cmd_device(const gpu_cmd *cmd) { return cmd->dev; }

void gpu_cmd_destroy(gpu_cmd *cmd) {
    if (!cmd) return;
    if (cmd->state == GPU_CMD_SUBMITTED) gpu_cmd_wait(cmd, NULL);
    cmd->dev->iface->cmd_destroy(cmd);
    for (int i = 0; i < cmd->bounce_count; i++) gpu_buffer_destroy(cmd->bounces[i]);
    free(cmd->bounces);
    free(cmd->reads.items);
    free(cmd->writes.items);
    free(cmd->profile);
    free(cmd);
}
