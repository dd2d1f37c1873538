/* limits.c — see limits.h. The "mobile" preset is the mobile-class device: 128 MiB bindings, 16 KiB
 * workgroup memory, 256 invocations, 8 storage buffers per stage, fp16 storage but no fp16 arithmetic, no
 * 8-bit storage, no integer dot product, no cooperative matrix. "webgpu" is WebGPU's default limits (128 MiB
 * bindings, 16 KiB workgroup storage, 256 invocations, 8 storage buffers per stage) with no 16-bit storage or
 * fp16, which an adapter without shader-f16 has. */
#define _POSIX_C_SOURCE 200809L
#include "gpu/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"

static void preset_mobile(gpu_limits *l) {
    l->storage_buffer_range = UINT64_C(128) << 20;
    l->shared_bytes = 16 << 10;
    l->invocations = 256;
    l->storage_buffers = 8;
    l->no_fp16 = l->no_storage8 = l->no_int_dot = l->no_coop_matrix = true;
}

static void preset_webgpu(gpu_limits *l) {
    preset_mobile(l);
    l->no_storage16 = true;
}

static bool parse_size(const char *v, uint64_t *out) {
    char *end = NULL;
    unsigned long long n = strtoull(v, &end, 10);
    if (end == v || *v == '-') return false;
    uint64_t scale = 1;
    if (*end == 'K' || *end == 'k') scale = UINT64_C(1) << 10, end++;
    else if (*end == 'M' || *end == 'm') scale = UINT64_C(1) << 20, end++;
    else if (*end == 'G' || *end == 'g') scale = UINT64_C(1) << 30, end++;
    if (*end || n == 0 || n > UINT64_MAX / scale) return false;
    *out = n * scale;
    return true;
}

vkvlm_status gpu_limits_parse(const char *text, gpu_limits *out, vkvlm_error *err) {
    memset(out, 0, sizeof *out);
    if (!text || !*text) return VKVLM_OK;
    snprintf(out->text, sizeof out->text, "%s", text);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        if (strcmp(item, "mobile") == 0) {
            preset_mobile(out);
            continue;
        }
        if (strcmp(item, "webgpu") == 0) {
            preset_webgpu(out);
            continue;
        }
        char *eq = strchr(item, '=');
        if (!eq)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--limits %s: '%s' is neither a preset (mobile, webgpu) nor key=value",
                                   text, item);
        *eq = '\0';
        const char *key = item, *value = eq + 1;
        uint64_t size = 0;
        bool off = strcmp(value, "0") == 0 || strcmp(value, "off") == 0;
        bool on = strcmp(value, "1") == 0 || strcmp(value, "on") == 0;
        bool *flag = strcmp(key, "fp16") == 0         ? &out->no_fp16
                     : strcmp(key, "storage16") == 0   ? &out->no_storage16
                     : strcmp(key, "storage8") == 0    ? &out->no_storage8
                     : strcmp(key, "int_dot") == 0     ? &out->no_int_dot
                     : strcmp(key, "coop_matrix") == 0 ? &out->no_coop_matrix
                     : strcmp(key, "subgroup_ops") == 0 ? &out->no_subgroup_ops
                                                        : NULL;
        if (flag) {
            if (!off && !on) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--limits %s=%s: expected 0 or 1", key, value);
            *flag = off; /* "1" keeps what the device has: a profile never adds a feature */
            continue;
        }
        if (strcmp(key, "subgroup_size") == 0) {
            if (strcmp(value, "min") == 0) out->subgroup = GPU_LIMITS_SUBGROUP_MIN;
            else if (strcmp(value, "max") == 0) out->subgroup = GPU_LIMITS_SUBGROUP_MAX;
            else if (parse_size(value, &size) && size <= 128 && (size & (size - 1)) == 0) {
                out->subgroup = GPU_LIMITS_SUBGROUP_SIZE;
                out->subgroup_size = (uint32_t)size;
            } else {
                return vkvlm_error_set(err, VKVLM_ERR_USAGE,
                                       "--limits subgroup_size=%s: expected min, max or a power of two up to 128", value);
            }
            continue;
        }
        bool is_size = strcmp(key, "memory") == 0 || strcmp(key, "storage_range") == 0 || strcmp(key, "shared") == 0 ||
                       strcmp(key, "invocations") == 0 || strcmp(key, "storage_buffers") == 0;
        if (!is_size)
            return vkvlm_error_set(err, VKVLM_ERR_USAGE,
                                   "--limits: unknown key '%s' (memory, storage_range, shared, invocations, "
                                   "storage_buffers, subgroup_size, fp16, storage16, storage8, int_dot, coop_matrix, "
                                   "subgroup_ops)",
                                   key);
        if (!parse_size(value, &size))
            return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--limits %s=%s: expected a positive size (e.g. 128M)", key, value);
        if (strcmp(key, "memory") == 0) out->device_memory = size;
        else if (strcmp(key, "storage_range") == 0) out->storage_buffer_range = size;
        else if (size > UINT32_MAX) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "--limits %s=%s: too large", key, value);
        else if (strcmp(key, "shared") == 0) out->shared_bytes = (uint32_t)size;
        else if (strcmp(key, "storage_buffers") == 0) out->storage_buffers = (uint32_t)size;
        else out->invocations = (uint32_t)size;
    }
    return VKVLM_OK;
}

static uint64_t lower64(uint64_t have, uint64_t cap) { return cap && cap < have ? cap : have; }
static uint32_t lower32(uint32_t have, uint32_t cap) { return cap && cap < have ? cap : have; }

/* The size a profile asks this device for; 0 when it asks none. */
static uint32_t wanted_subgroup_size(const gpu_limits *l, const gpu_caps *caps) {
    switch (l->subgroup) {
    case GPU_LIMITS_SUBGROUP_SIZE: return l->subgroup_size;
    case GPU_LIMITS_SUBGROUP_MIN: return caps->subgroup_min_size;
    case GPU_LIMITS_SUBGROUP_MAX: return caps->subgroup_max_size;
    default: return 0;
    }
}

static const char *subgroup_text(const gpu_limits *l, char *buf, size_t cap) {
    if (l->subgroup == GPU_LIMITS_SUBGROUP_MIN) return "min";
    if (l->subgroup == GPU_LIMITS_SUBGROUP_MAX) return "max";
    snprintf(buf, cap, "%u", l->subgroup_size);
    return buf;
}

vkvlm_status gpu_limits_check(const gpu_limits *l, const gpu_caps *caps, vkvlm_error *err) {
    if (!l || l->subgroup == GPU_LIMITS_SUBGROUP_DEFAULT) return VKVLM_OK;
    char buf[16];
    if (!caps->subgroup_size_control)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED,
                               "--limits subgroup_size=%s: %s cannot require a subgroup size in compute shaders (no "
                               "subgroup size control: VK_EXT_subgroup_size_control / Vulkan 1.3 subgroupSizeControl)",
                               subgroup_text(l, buf, sizeof buf), caps->name);
    uint32_t size = wanted_subgroup_size(l, caps);
    if (size < caps->subgroup_min_size || size > caps->subgroup_max_size)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "--limits subgroup_size=%s: %s runs subgroups of %u..%u only",
                               subgroup_text(l, buf, sizeof buf), caps->name, caps->subgroup_min_size,
                               caps->subgroup_max_size);
    return VKVLM_OK;
}

void gpu_limits_require_subgroup_size(gpu_caps *caps, uint32_t size) {
    caps->subgroup_size = size;
    caps->subgroup_required_size = size;
    /* VUID-VkPipelineShaderStageCreateInfo-pNext-02756: with a required size, a workgroup holds at most
     * maxComputeWorkgroupSubgroups subgroups; the op layer sizes workgroups from these limits. */
    uint64_t most = (uint64_t)size * caps->max_compute_workgroup_subgroups;
    if (most && most < caps->max_workgroup_invocations) caps->max_workgroup_invocations = (uint32_t)most;
    for (int a = 0; a < 3; a++)
        if (caps->max_workgroup_size[a] > caps->max_workgroup_invocations)
            caps->max_workgroup_size[a] = caps->max_workgroup_invocations;
}

void gpu_limits_apply(const gpu_limits *l, gpu_caps *caps) {
    if (!l) return;
    caps->device_local_bytes = lower64(caps->device_local_bytes, l->device_memory);
    caps->max_storage_buffer_range = lower64(caps->max_storage_buffer_range, l->storage_buffer_range);
    caps->max_allocation_bytes = lower64(caps->max_allocation_bytes, l->device_memory);
    caps->max_shared_bytes = lower32(caps->max_shared_bytes, l->shared_bytes);
    caps->max_workgroup_invocations = lower32(caps->max_workgroup_invocations, l->invocations);
    for (int a = 0; a < 3; a++) caps->max_workgroup_size[a] = lower32(caps->max_workgroup_size[a], l->invocations);
    if (l->no_fp16) caps->fp16_arithmetic = false;
    if (l->no_storage16) caps->storage_16bit = false;
    if (l->no_storage8) caps->storage_8bit = false;
    if (l->no_int_dot) caps->integer_dot_product = false;
    if (l->no_coop_matrix) caps->cooperative_matrix = false;
    if (l->no_subgroup_ops) caps->subgroup_ops = 0;
    caps->max_storage_buffers = lower32(caps->max_storage_buffers, l->storage_buffers);
    uint32_t size = wanted_subgroup_size(l, caps);
    if (size && caps->subgroup_size_control && size >= caps->subgroup_min_size && size <= caps->subgroup_max_size)
        gpu_limits_require_subgroup_size(caps, size);
}
