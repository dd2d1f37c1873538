/* wgpu_backend.c — the WebGPU backend's C half: fills gpu_backend_iface by calling the JS library
 * (wgpu_library.js), which owns every WebGPU object. Built only by the Emscripten configuration
 * (web/CMakeLists.txt); the native build excludes src/gpu/webgpu/.
 *
 * What WebGPU changes against Vulkan:
 *   - parameters travel in a uniform buffer at the binding after the storage buffers (no push constants);
 *   - specialization constants become WGSL `override` constants with @id(n), n = the spec index;
 *   - no explicit barriers: WebGPU orders dispatches in a pass, so cmd_barrier is a no-op;
 *   - offsets and sizes of copies and writes are multiples of 4; unaligned host writes and reads are
 *     widened here to the enclosing aligned range;
 *   - no per-dispatch timings yet (timestamp queries are optional in WebGPU): profile ms stay 0.
 * Kernels without a WGSL twin fail at dispatch with VKVLM_ERR_UNSUPPORTED ("no WGSL twin"), counted by
 * gpu_webgpu_missing_kernels() so test drivers can report those cases as skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "gpu/gpu_backend.h"
#include "gpu/webgpu/wgsl_table.h"

/* The JS library (wgpu_library.js). 64-bit values cross as double: 3.1.6 without WASM_BIGINT would split
 * an int64 argument in two, and buffer sizes stay far below 2^53. */
extern int wgpu_js_init(void);
extern void wgpu_js_shutdown(void);
extern void wgpu_js_last_error(char *out, int cap);
extern double wgpu_js_adapter_limit(const char *name);
extern int wgpu_js_adapter_feature(const char *name);
extern void wgpu_js_adapter_info(const char *key, char *out, int cap);
extern double wgpu_js_adapter_info_number(const char *key);
extern int wgpu_js_adapter_fallback(void);
extern int wgpu_js_device_create(void);
extern void wgpu_js_device_destroy(int dev);
extern int wgpu_js_error_count(void);
extern int wgpu_js_buffer_create(int dev, double size, const char *label);
extern void wgpu_js_buffer_destroy(int buf);
extern void wgpu_js_buffer_write(int dev, int buf, double offset, const void *data, double size);
extern int wgpu_js_buffer_read(int dev, int buf, double offset, void *data, double size);
extern int wgpu_js_cmd_create(int dev);
extern void wgpu_js_cmd_destroy(int cmd);
extern int wgpu_js_cmd_dispatch(int cmd, const char *name, const char *source, int nbind, uint32_t writes,
                                const void *binds,
                                const void *params, int params_size, const uint32_t *spec, const uint32_t *groups);
extern void wgpu_js_cmd_copy(int cmd, int dst, double dst_offset, int src, double src_offset, double size);
extern void wgpu_js_cmd_submit(int cmd);
extern int wgpu_js_cmd_wait(int cmd);

/* One binding as wgpu_js_cmd_dispatch reads it (24 bytes, little-endian). */
typedef struct wgpu_js_binding {
    uint32_t buffer;
    uint32_t pad;
    uint64_t offset;
    uint64_t size;
} wgpu_js_binding;

typedef struct wgpu_device {
    int handle;
    int spare; /* a small buffer for unused writable bindings (0 until first needed) */
} wgpu_device;

static int missing_kernels; /* dispatches refused for want of a WGSL twin */

int gpu_webgpu_missing_kernels(void) { return missing_kernels; }

static vkvlm_status js_error(vkvlm_error *err, vkvlm_status st, const char *what) {
    char msg[VKVLM_ERROR_MESSAGE_MAX];
    wgpu_js_last_error(msg, (int)sizeof msg);
    return vkvlm_error_set(err, st, "webgpu: %s: %s", what, msg);
}

static uint32_t limit_u32(const char *name, uint32_t fallback) {
    double v = wgpu_js_adapter_limit(name);
    return v > 0 ? (v > 4294967295.0 ? UINT32_MAX : (uint32_t)v) : fallback;
}

static vkvlm_status wgpu_context_init(gpu_context *ctx, vkvlm_error *err) {
    if (!wgpu_js_init()) return VKVLM_OK; /* no WebGPU here: not an error, the CPU backend remains */
    gpu_caps caps = {0};
    caps.backend = GPU_BACKEND_WEBGPU;
    char vendor[128], arch[128], device[128], description[256];
    wgpu_js_adapter_info("vendor", vendor, sizeof vendor);
    wgpu_js_adapter_info("architecture", arch, sizeof arch);
    wgpu_js_adapter_info("device", device, sizeof device);
    wgpu_js_adapter_info("description", description, sizeof description);
    /* Browsers may blank every field (privacy); Dawn fills description ("SwiftShader Device (Subzero)"). */
    if (description[0])
        snprintf(caps.name, sizeof caps.name, "%s", description);
    else if (vendor[0] || arch[0] || device[0])
        snprintf(caps.name, sizeof caps.name, "%s %s %s", vendor, arch, device);
    else
        snprintf(caps.name, sizeof caps.name, "WebGPU adapter");
    snprintf(caps.driver_name, sizeof caps.driver_name, "webgpu");
    snprintf(caps.driver_info, sizeof caps.driver_info, "%s%s%s", vendor, arch[0] ? " " : "", arch);
    caps.type = wgpu_js_adapter_fallback() ? GPU_DEVICE_CPU : GPU_DEVICE_OTHER;
    /* Software rasterizers Dawn does not flag as fallback adapters. Its GLES path names no renderer
     * ("OpenGL ES 3.2 Mesa ..."), so llvmpipe behind GLES stays "other". */
    if (strstr(caps.name, "SwiftShader") || strstr(caps.name, "llvmpipe") || strstr(caps.driver_info, "llvmpipe"))
        caps.type = GPU_DEVICE_CPU;

    /* Subgroup sizes are reported when the adapter has them; subgroup_ops stays 0 until WGSL twins of the
     * *_sg_* kernels exist, so ops choose the shared-memory variants. */
    /* Dawn's GLES backend fills the info fields without the feature: only trust them with it. */
    bool subgroups = wgpu_js_adapter_feature("subgroups") != 0;
    uint32_t sg_min = subgroups ? (uint32_t)wgpu_js_adapter_info_number("subgroupMinSize") : 0;
    uint32_t sg_max = subgroups ? (uint32_t)wgpu_js_adapter_info_number("subgroupMaxSize") : 0;
    caps.subgroup_size = sg_min ? sg_min : 1;
    caps.subgroup_min_size = caps.subgroup_size;
    caps.subgroup_max_size = sg_max ? sg_max : caps.subgroup_size;
    caps.subgroup_ops = 0;

    caps.fp16_arithmetic = wgpu_js_adapter_feature("shader-f16") != 0;
    /* Core WebGPU has no 16-bit storage, and no adapter here (Dawn's SwiftShader and GLES, headless
     * Chromium) has shader-f16: the matmul_*_f16 / *_bf16 twins read u32 words like the packed ones. */
    caps.storage_16bit = false;
    caps.max_shared_bytes = limit_u32("maxComputeWorkgroupStorageSize", 16384);
    caps.max_workgroup_size[0] = limit_u32("maxComputeWorkgroupSizeX", 256);
    caps.max_workgroup_size[1] = limit_u32("maxComputeWorkgroupSizeY", 256);
    caps.max_workgroup_size[2] = limit_u32("maxComputeWorkgroupSizeZ", 64);
    caps.max_workgroup_invocations = limit_u32("maxComputeInvocationsPerWorkgroup", 256);
    uint32_t groups = limit_u32("maxComputeWorkgroupsPerDimension", 65535);
    for (int a = 0; a < 3; a++) caps.max_workgroup_count[a] = groups;
    caps.max_storage_buffer_range = (uint64_t)wgpu_js_adapter_limit("maxStorageBufferBindingSize");
    caps.max_storage_buffers = limit_u32("maxStorageBuffersPerShaderStage", 8); /* requested at device creation */
    caps.max_allocation_bytes = (uint64_t)wgpu_js_adapter_limit("maxBufferSize");
    caps.max_push_constant_bytes = 128; /* the uniform slot; parameter structs are far smaller */
    caps.min_storage_offset_alignment = limit_u32("minStorageBufferOffsetAlignment", 256);
    caps.timestamps = false;
    caps.unified_memory = caps.type == GPU_DEVICE_CPU;
    /* WebGPU reports no memory size. The session plans against this budget (a wasm32 module cannot stage
     * more than its 2 GiB heap of weights anyway); a device that has less fails buffer creation instead. */
    caps.heap_count = 1;
    caps.heap_size[0] = UINT64_C(4) << 30;
    caps.heap_device_local[0] = true;
    caps.device_local_bytes = caps.heap_size[0];
    return gpu_context_add_device(ctx, &caps, err);
}

static void wgpu_context_shutdown(gpu_context *ctx) { wgpu_js_shutdown(); }

static vkvlm_status wgpu_device_create(gpu_device *dev, int backend_index, const gpu_device_desc *desc,
                                       vkvlm_error *err) {
    wgpu_device *d = calloc(1, sizeof *d);
    if (!d) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "webgpu device: out of host memory");
    dev->impl = d;
    d->handle = wgpu_js_device_create();
    if (!d->handle) return js_error(err, VKVLM_ERR_NO_DEVICE, "device");
    return VKVLM_OK;
}

static void wgpu_device_destroy(gpu_device *dev) {
    wgpu_device *d = dev->impl;
    if (!d) return;
    if (d->spare) wgpu_js_buffer_destroy(d->spare);
    if (d->handle) wgpu_js_device_destroy(d->handle);
    free(d);
}

static int dev_handle(const gpu_buffer *buf) { return ((wgpu_device *)buf->dev->impl)->handle; }
static int buf_handle(const gpu_buffer *buf) { return (int)(intptr_t)buf->impl; }

static vkvlm_status wgpu_buffer_create(gpu_buffer *buf, vkvlm_error *err) {
    /* 16-byte rounding: WebGPU sizes are multiples of 4, and vector-width reads of the tail stay inside. */
    uint64_t bytes = (buf->size + 15) & ~(uint64_t)15;
    int h = wgpu_js_buffer_create(dev_handle(buf), (double)bytes, buf->label);
    if (!h) return js_error(err, VKVLM_ERR_OUT_OF_MEMORY, buf->label);
    buf->impl = (void *)(intptr_t)h;
    buf->allocated = bytes;
    return VKVLM_OK;
}

static void wgpu_buffer_destroy(gpu_buffer *buf) {
    if (buf->impl) wgpu_js_buffer_destroy(buf_handle(buf));
}

static vkvlm_status wgpu_buffer_read(gpu_buffer *buf, uint64_t offset, void *data, uint64_t size,
                                     vkvlm_error *err) {
    uint64_t begin = offset & ~(uint64_t)3, end = (offset + size + 3) & ~(uint64_t)3;
    if (begin == offset && end == offset + size) {
        if (!wgpu_js_buffer_read(dev_handle(buf), buf_handle(buf), (double)offset, data, (double)size))
            return js_error(err, VKVLM_ERR_DEVICE, buf->label);
        return VKVLM_OK;
    }
    uint8_t *tmp = malloc((size_t)(end - begin));
    if (!tmp) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "webgpu read: out of host memory");
    vkvlm_status st = VKVLM_OK;
    if (!wgpu_js_buffer_read(dev_handle(buf), buf_handle(buf), (double)begin, tmp, (double)(end - begin)))
        st = js_error(err, VKVLM_ERR_DEVICE, buf->label);
    else
        memcpy(data, tmp + (offset - begin), (size_t)size);
    free(tmp);
    return st;
}

static vkvlm_status wgpu_buffer_write(gpu_buffer *buf, uint64_t offset, const void *data, uint64_t size,
                                      vkvlm_error *err) {
    uint64_t begin = offset & ~(uint64_t)3, end = (offset + size + 3) & ~(uint64_t)3;
    if (begin == offset && end == offset + size) {
        wgpu_js_buffer_write(dev_handle(buf), buf_handle(buf), (double)offset, data, (double)size);
        return VKVLM_OK;
    }
    /* Unaligned: read the enclosing words back, patch them, write them (allocations are 16-byte rounded,
     * so the widened range stays inside the buffer). */
    uint8_t *tmp = malloc((size_t)(end - begin));
    if (!tmp) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "webgpu write: out of host memory");
    vkvlm_status st = VKVLM_OK;
    if (!wgpu_js_buffer_read(dev_handle(buf), buf_handle(buf), (double)begin, tmp, (double)(end - begin))) {
        st = js_error(err, VKVLM_ERR_DEVICE, buf->label);
    } else {
        memcpy(tmp + (offset - begin), data, (size_t)size);
        wgpu_js_buffer_write(dev_handle(buf), buf_handle(buf), (double)begin, tmp, (double)(end - begin));
    }
    free(tmp);
    return st;
}

static int cmd_handle(const gpu_cmd *cmd) { return (int)(intptr_t)cmd->impl; }

static vkvlm_status wgpu_cmd_begin(gpu_cmd *cmd, vkvlm_error *err) {
    int h = wgpu_js_cmd_create(((wgpu_device *)cmd->dev->impl)->handle);
    if (!h) return js_error(err, VKVLM_ERR_INTERNAL, "command");
    cmd->impl = (void *)(intptr_t)h;
    return VKVLM_OK;
}

static void wgpu_cmd_barrier(gpu_cmd *cmd) { (void)cmd; /* WebGPU synchronizes dispatches itself */ }

static vkvlm_status wgpu_cmd_dispatch(gpu_cmd *cmd, const gpu_dispatch_desc *desc, int profile_slot,
                                      vkvlm_error *err) {
    const gpu_kernel_info *info = gpu_kernel_get(desc->kernel);
    const char *source = wgsl_kernel_source(info->name);
    if (!source) {
        missing_kernels++;
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "webgpu: kernel %s has no WGSL twin yet", info->name);
    }
    wgpu_js_binding binds[GPU_MAX_BINDINGS];
    for (uint32_t b = 0; b < info->bindings; b++) {
        const gpu_binding *g = &desc->bindings[b];
        if ((g->offset | g->size) & 3)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "webgpu: %s binding %u: offset and size must be multiples of 4",
                                   info->name, b);
        binds[b] = (wgpu_js_binding){(uint32_t)buf_handle(g->buffer), 0, g->offset, g->size};
        /* WebGPU rejects a range bound twice when either binding is writable. The ops fill an absent optional
         * output (lse, partial, FiCoCo's src/dst/alpha) with another output of the same dispatch, which the
         * shader then never touches: a written binding identical to an earlier written one is such a
         * placeholder, and gets the device's spare buffer instead. */
        if (!(info->writes_mask >> b & 1)) continue;
        for (uint32_t e = 0; e < b; e++) {
            const gpu_binding *h = &desc->bindings[e];
            if (!(info->writes_mask >> e & 1) || h->buffer != g->buffer || h->offset != g->offset || h->size != g->size)
                continue;
            wgpu_device *dev = cmd->dev->impl;
            if (!dev->spare && !(dev->spare = wgpu_js_buffer_create(dev->handle, 256.0, "unused binding")))
                return js_error(err, VKVLM_ERR_OUT_OF_MEMORY, "unused binding");
            binds[b] = (wgpu_js_binding){(uint32_t)dev->spare, 0, 0, 256};
            break;
        }
    }
    uint32_t groups[3] = {desc->groups[0], desc->groups[1], desc->groups[2]};
    if (!wgpu_js_cmd_dispatch(cmd_handle(cmd), info->name, source, (int)info->bindings, info->writes_mask, binds,
                              desc->params,
                              (int)desc->params_size, desc->spec, groups))
        return js_error(err, VKVLM_ERR_DEVICE, info->name);
    return VKVLM_OK;
}

static vkvlm_status wgpu_cmd_copy(gpu_cmd *cmd, gpu_buffer *dst, uint64_t dst_offset, gpu_buffer *src,
                                  uint64_t src_offset, uint64_t size, int profile_slot, vkvlm_error *err) {
    if ((dst_offset | src_offset | size) & 3)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "webgpu: copy offsets and size must be multiples of 4");
    wgpu_js_cmd_copy(cmd_handle(cmd), buf_handle(dst), (double)dst_offset, buf_handle(src), (double)src_offset,
                     (double)size);
    return VKVLM_OK;
}

static vkvlm_status wgpu_cmd_submit(gpu_cmd *cmd, vkvlm_error *err) {
    wgpu_js_cmd_submit(cmd_handle(cmd));
    return VKVLM_OK;
}

static vkvlm_status wgpu_cmd_wait(gpu_cmd *cmd, vkvlm_error *err) {
    if (!wgpu_js_cmd_wait(cmd_handle(cmd))) return js_error(err, VKVLM_ERR_DEVICE, "command");
    for (int i = 0; i < cmd->profile_count; i++) cmd->profile[i].ms = 0.0;
    return VKVLM_OK;
}

static void wgpu_cmd_destroy(gpu_cmd *cmd) {
    if (cmd->impl) wgpu_js_cmd_destroy(cmd_handle(cmd));
}

/* Uncaptured WebGPU errors so far: tests demand 0, like Vulkan validation messages. */
int gpu_webgpu_error_count(void) { return wgpu_js_error_count(); }

const gpu_backend_iface gpu_webgpu_backend = {
    .kind = GPU_BACKEND_WEBGPU,
    .context_init = wgpu_context_init,
    .context_shutdown = wgpu_context_shutdown,
    .device_create = wgpu_device_create,
    .device_destroy = wgpu_device_destroy,
    .buffer_create = wgpu_buffer_create,
    .buffer_destroy = wgpu_buffer_destroy,
    .buffer_write = wgpu_buffer_write,
    .buffer_read = wgpu_buffer_read,
    .cmd_begin = wgpu_cmd_begin,
    .cmd_barrier = wgpu_cmd_barrier,
    .cmd_dispatch = wgpu_cmd_dispatch,
    .cmd_copy = wgpu_cmd_copy,
    .cmd_submit = wgpu_cmd_submit,
    .cmd_wait = wgpu_cmd_wait,
    .cmd_destroy = wgpu_cmd_destroy,
};
