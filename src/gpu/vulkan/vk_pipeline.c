/* vk_pipeline.c — compute pipelines from the embedded SPIR-V, created on first use and kept per
 * (kernel, specialization constants), each requiring the device's forced subgroup size when it has one; and
 * the VkPipelineCache saved per device + driver on disk, so the second start of a program skips shader
 * compilation.
 *
 * Specialization constants: ids 0..n-1 as the kernel's shader documents them; a value of 0 means "not
 * specialised" (the shader's default stays), so callers only fill what they choose. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/status.h"
#include "gpu/vulkan/spirv_table.h"
#include "gpu/vulkan/vk_internal.h"

static const vk_spirv_module *find_spirv(const char *name) {
    for (size_t i = 0; i < vk_spirv_module_count; i++)
        if (strcmp(vk_spirv_modules[i].name, name) == 0) return &vk_spirv_modules[i];
    return NULL;
}

/* Shader module, descriptor-set layout and pipeline layout of one kernel, made once. */
static vkvlm_status kernel_layout(vk_device *d, gpu_kernel kernel, vkvlm_error *err) {
    if (d->pipeline_layouts[kernel]) return VKVLM_OK;
    const gpu_kernel_info *info = gpu_kernel_get(kernel);
    const vk_spirv_module *spv = find_spirv(info->name);
    if (!spv) return vkvlm_error_set(err, VKVLM_ERR_INTERNAL, "kernel %s: no SPIR-V embedded", info->name);
    VkShaderModuleCreateInfo sm = {
        .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = spv->bytes, .pCode = spv->words};
    VkResult r = d->fn.vkCreateShaderModule(d->device, &sm, NULL, &d->shaders[kernel]);
    if (r != VK_SUCCESS) return vk_fail(err, "vkCreateShaderModule", r);

    VkDescriptorSetLayoutBinding bindings[GPU_MAX_BINDINGS];
    for (uint32_t b = 0; b < info->bindings; b++)
        bindings[b] = (VkDescriptorSetLayoutBinding){.binding = b,
                                                     .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                                     .descriptorCount = 1,
                                                     .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
    VkDescriptorSetLayoutCreateInfo dsl = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                           .bindingCount = info->bindings,
                                           .pBindings = bindings};
    r = d->fn.vkCreateDescriptorSetLayout(d->device, &dsl, NULL, &d->set_layouts[kernel]);
    if (r != VK_SUCCESS) return vk_fail(err, "vkCreateDescriptorSetLayout", r);

    VkPushConstantRange push = {.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .size = info->params_size};
    VkPipelineLayoutCreateInfo pl = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                     .setLayoutCount = 1,
                                     .pSetLayouts = &d->set_layouts[kernel],
                                     .pushConstantRangeCount = info->params_size ? 1 : 0,
                                     .pPushConstantRanges = &push};
    r = d->fn.vkCreatePipelineLayout(d->device, &pl, NULL, &d->pipeline_layouts[kernel]);
    if (r != VK_SUCCESS) return vk_fail(err, "vkCreatePipelineLayout", r);
    return VKVLM_OK;
}

vkvlm_status vk_pipeline_get(vk_device *d, gpu_kernel kernel, const uint32_t *spec, VkPipeline *out,
                             vkvlm_error *err) {
    for (int i = 0; i < d->pipeline_count; i++) {
        vk_pipeline *p = &d->pipelines[i];
        if (p->kernel == kernel && memcmp(p->spec, spec, sizeof p->spec) == 0) {
            *out = p->pipeline;
            return VKVLM_OK;
        }
    }
    vkvlm_status st = kernel_layout(d, kernel, err);
    if (st != VKVLM_OK) return st;
    if (d->pipeline_count == d->pipeline_capacity) {
        int capacity = d->pipeline_capacity ? d->pipeline_capacity * 2 : 32;
        vk_pipeline *grown = realloc(d->pipelines, (size_t)capacity * sizeof *grown);
        if (!grown) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "pipelines: out of host memory");
        d->pipelines = grown;
        d->pipeline_capacity = capacity;
    }
    VkSpecializationMapEntry entries[GPU_MAX_SPEC_CONSTANTS];
    uint32_t n = 0;
    for (uint32_t i = 0; i < GPU_MAX_SPEC_CONSTANTS; i++) {
        if (!spec[i]) continue;
        entries[n++] = (VkSpecializationMapEntry){.constantID = i, .offset = i * 4, .size = 4};
    }
    VkSpecializationInfo si = {.mapEntryCount = n, .pMapEntries = entries, .dataSize = sizeof(uint32_t) * GPU_MAX_SPEC_CONSTANTS,
                               .pData = spec};
    /* A forced or pinned subgroup size (caps.subgroup_required_size) holds for every pipeline of the device, so
     * the cache key needs no extra field. The feature was enabled at device creation with the probed chain. */
    VkPipelineShaderStageRequiredSubgroupSizeCreateInfo required = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_REQUIRED_SUBGROUP_SIZE_CREATE_INFO,
        .requiredSubgroupSize = d->required_subgroup_size};
    VkComputePipelineCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                  .pNext = d->required_subgroup_size ? &required : NULL,
                  .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                  .module = d->shaders[kernel],
                  .pName = "main",
                  .pSpecializationInfo = n ? &si : NULL},
        .layout = d->pipeline_layouts[kernel],
    };
    vk_pipeline p = {.kernel = kernel};
    memcpy(p.spec, spec, sizeof p.spec);
    VkResult r = d->fn.vkCreateComputePipelines(d->device, d->pipeline_cache, 1, &info, NULL, &p.pipeline);
    if (r != VK_SUCCESS) {
        vk_fail(err, "vkCreateComputePipelines", r);
        return vkvlm_error_context(err, "kernel %s", gpu_kernel_get(kernel)->name);
    }
    d->pipelines[d->pipeline_count++] = p;
    *out = p.pipeline;
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- on-disk pipeline cache */

static bool make_dirs(const char *path) {
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return false;
        *p = '/';
    }
    return mkdir(buf, 0755) == 0 || errno == EEXIST;
}

static void cache_file_path(const gpu_caps *caps, const char *cache_dir, char *out, size_t cap) {
    char dir[768];
    if (cache_dir) {
        snprintf(dir, sizeof dir, "%s", cache_dir);
    } else {
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        if (xdg && *xdg) snprintf(dir, sizeof dir, "%s/vkvlm", xdg);
        else if (home && *home) snprintf(dir, sizeof dir, "%s/.cache/vkvlm", home);
        else dir[0] = '\0';
    }
    if (!dir[0]) {
        out[0] = '\0';
        return;
    }
    char uuid[33];
    for (int i = 0; i < 16; i++) snprintf(uuid + 2 * i, 3, "%02x", caps->device_uuid[i]);
    snprintf(out, cap, "%s/pipelines-%04x-%04x-%08x-%s.bin", dir, caps->vendor_id, caps->device_id,
             caps->driver_version, uuid);
}

static void *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    void *data = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n > 0 && n < (64L << 20) && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)n))) {
            if (fread(data, 1, (size_t)n, f) == (size_t)n) *size = (size_t)n;
            else {
                free(data);
                data = NULL;
            }
        }
    }
    fclose(f);
    return data;
}

void vk_pipeline_cache_open(vk_device *d, const gpu_caps *caps, const char *cache_dir) {
    d->cache_path[0] = '\0';
    if (!(cache_dir && !*cache_dir)) cache_file_path(caps, cache_dir, d->cache_path, sizeof d->cache_path);
    size_t size = 0;
    void *data = d->cache_path[0] ? read_file(d->cache_path, &size) : NULL;
    VkPipelineCacheCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO, .initialDataSize = data ? size : 0, .pInitialData = data};
    /* The driver checks the header (vendor, device, UUID) and ignores stale data; a failure with data is
     * retried empty, and a cache that cannot be made at all just means slower starts. */
    if (d->fn.vkCreatePipelineCache(d->device, &info, NULL, &d->pipeline_cache) != VK_SUCCESS && data) {
        info.initialDataSize = 0;
        info.pInitialData = NULL;
        if (d->fn.vkCreatePipelineCache(d->device, &info, NULL, &d->pipeline_cache) != VK_SUCCESS)
            d->pipeline_cache = VK_NULL_HANDLE;
    }
    free(data);
}

static void save_cache(vk_device *d) {
    if (!d->pipeline_cache || !d->cache_path[0] || d->pipeline_count == 0) return;
    size_t size = 0;
    if (d->fn.vkGetPipelineCacheData(d->device, d->pipeline_cache, &size, NULL) != VK_SUCCESS || size == 0) return;
    void *data = malloc(size);
    if (!data) return;
    if (d->fn.vkGetPipelineCacheData(d->device, d->pipeline_cache, &size, data) == VK_SUCCESS) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s", d->cache_path);
        char *slash = strrchr(dir, '/');
        if (slash) *slash = '\0';
        char tmp[1100];
        snprintf(tmp, sizeof tmp, "%s.%ld.tmp", d->cache_path, (long)getpid());
        /* Write then rename: concurrent processes never see a half-written cache. */
        FILE *f = make_dirs(dir) ? fopen(tmp, "wb") : NULL;
        if (f) {
            bool ok = fwrite(data, 1, size, f) == size;
            ok = fclose(f) == 0 && ok;
            if (!ok || rename(tmp, d->cache_path) != 0) remove(tmp);
        }
    }
    free(data);
}

void vk_pipeline_destroy_all(vk_device *d) {
    save_cache(d);
    for (int i = 0; i < d->pipeline_count; i++) d->fn.vkDestroyPipeline(d->device, d->pipelines[i].pipeline, NULL);
    free(d->pipelines);
    d->pipelines = NULL;
    d->pipeline_count = d->pipeline_capacity = 0;
    for (int k = 0; k < GPU_KERNEL_COUNT; k++) {
        if (d->pipeline_layouts[k]) d->fn.vkDestroyPipelineLayout(d->device, d->pipeline_layouts[k], NULL);
        if (d->set_layouts[k]) d->fn.vkDestroyDescriptorSetLayout(d->device, d->set_layouts[k], NULL);
        if (d->shaders[k]) d->fn.vkDestroyShaderModule(d->device, d->shaders[k], NULL);
    }
    if (d->pipeline_cache) d->fn.vkDestroyPipelineCache(d->device, d->pipeline_cache, NULL);
}
