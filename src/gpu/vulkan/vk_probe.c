/* vk_probe.c — the fixed probe sequence that fills one gpu_caps per physical device (ncnn's pattern):
 * properties and limits, memory heaps, queues, extensions, extension features through one pNext chain,
 * subgroup properties; then the quirk table. Everything the kernels choose from comes from here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/vulkan/vk_internal.h"

typedef struct vk_extension_list {
    VkExtensionProperties *items;
    uint32_t count;
} vk_extension_list;

static vk_extension_list extensions_of(VkPhysicalDevice physical) {
    vk_extension_list list = {0};
    if (vkEnumerateDeviceExtensionProperties(physical, NULL, &list.count, NULL) != VK_SUCCESS) list.count = 0;
    if (list.count) list.items = calloc(list.count, sizeof *list.items);
    if (!list.items || vkEnumerateDeviceExtensionProperties(physical, NULL, &list.count, list.items) != VK_SUCCESS)
        list.count = 0;
    return list;
}

static bool has_extension(const vk_extension_list *list, const char *name) {
    for (uint32_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i].extensionName, name) == 0) return true;
    return false;
}

/* Links `next` into the chain when the feature is core in `api` or its extension exists; records the
 * extension for vkCreateDevice when it is not core. */
static bool chain_feature(vk_features *f, void **tail, void *next, uint32_t api, uint32_t core_in,
                          const vk_extension_list *exts, const char *ext_name) {
    bool core = api >= core_in;
    if (!core && !has_extension(exts, ext_name)) return false;
    if (!core) f->extensions[f->extension_count++] = ext_name;
    *(void **)*tail = next;
    *tail = &((VkBaseOutStructure *)next)->pNext;
    return true;
}

void vk_features_query(VkPhysicalDevice physical, vk_features *f) {
    memset(f, 0, sizeof *f);
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(physical, &props);
    uint32_t api = props.apiVersion;
    vk_extension_list exts = extensions_of(physical);

    f->base.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
    f->storage16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
    f->storage8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES;
    f->float16_int8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES;
    f->int_dot.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES;
    f->size_control.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES;

    void *tail = &f->base.pNext;
    chain_feature(f, &tail, &f->storage16, api, VK_API_VERSION_1_1, &exts, VK_KHR_16BIT_STORAGE_EXTENSION_NAME);
    f->has_storage8 = chain_feature(f, &tail, &f->storage8, api, VK_API_VERSION_1_2, &exts,
                                    VK_KHR_8BIT_STORAGE_EXTENSION_NAME);
    f->has_float16_int8 = chain_feature(f, &tail, &f->float16_int8, api, VK_API_VERSION_1_2, &exts,
                                        VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);
    f->has_int_dot = chain_feature(f, &tail, &f->int_dot, api, VK_API_VERSION_1_3, &exts,
                                   VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
    f->has_size_control = chain_feature(f, &tail, &f->size_control, api, VK_API_VERSION_1_3, &exts,
                                        VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME);
    /* Cooperative matrix is only reported for now (no kernel uses it yet): the KHR extension postdates
     * Debian's headers, so presence of either extension is what we record. */
    f->has_coop_matrix = has_extension(&exts, "VK_KHR_cooperative_matrix") ||
                         has_extension(&exts, "VK_NV_cooperative_matrix");
    /* 8-bit storage in SPIR-V needs the storage-class extension on 1.0-era drivers; core since 1.1. */
    vkGetPhysicalDeviceFeatures2(physical, &f->base);
    free(exts.items);
}

bool vk_pick_queue_family(VkPhysicalDevice physical, uint32_t *family, uint32_t *timestamp_bits) {
    uint32_t count = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, NULL);
    VkQueueFamilyProperties *families = calloc(count ? count : 1, sizeof *families);
    if (!families) return false;
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, families);
    int best = -1, best_score = -1;
    for (uint32_t i = 0; i < count; i++) {
        if (!(families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) || families[i].queueCount == 0) continue;
        /* Timestamps matter most (the profiler and bench need them); then the universal queue, which every
         * driver treats as its best-tested path. */
        int score = (families[i].timestampValidBits ? 2 : 0) + (families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT ? 1 : 0);
        if (score > best_score) {
            best = (int)i;
            best_score = score;
        }
    }
    if (best >= 0) {
        *family = (uint32_t)best;
        *timestamp_bits = families[best].timestampValidBits;
    }
    free(families);
    return best >= 0;
}

static gpu_device_type device_type(VkPhysicalDeviceType type) {
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return GPU_DEVICE_DISCRETE;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return GPU_DEVICE_INTEGRATED;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return GPU_DEVICE_VIRTUAL;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return GPU_DEVICE_CPU;
    default: return GPU_DEVICE_OTHER;
    }
}

void vk_probe_caps(VkPhysicalDevice physical, gpu_caps *caps) {
    memset(caps, 0, sizeof *caps);
    caps->backend = GPU_BACKEND_VULKAN;

    /* properties and limits */
    VkPhysicalDeviceProperties base;
    vkGetPhysicalDeviceProperties(physical, &base);
    snprintf(caps->name, sizeof caps->name, "%s", base.deviceName);
    caps->vendor_id = base.vendorID;
    caps->device_id = base.deviceID;
    caps->type = device_type(base.deviceType);
    caps->api_version = base.apiVersion;
    caps->driver_version = base.driverVersion;
    const VkPhysicalDeviceLimits *lim = &base.limits;
    caps->max_shared_bytes = lim->maxComputeSharedMemorySize;
    for (int a = 0; a < 3; a++) {
        caps->max_workgroup_size[a] = lim->maxComputeWorkGroupSize[a];
        caps->max_workgroup_count[a] = lim->maxComputeWorkGroupCount[a];
    }
    caps->max_workgroup_invocations = lim->maxComputeWorkGroupInvocations;
    caps->max_storage_buffer_range = lim->maxStorageBufferRange;
    caps->max_storage_buffers = lim->maxPerStageDescriptorStorageBuffers;
    caps->max_push_constant_bytes = lim->maxPushConstantsSize;
    caps->min_storage_offset_alignment = lim->minStorageBufferOffsetAlignment;
    caps->timestamp_period_ns = lim->timestampPeriod;
    if (base.apiVersion < VK_API_VERSION_1_1) return; /* not usable; listed only as skipped */

    /* extension properties: subgroups, driver, ids, maintenance3 (allocation size) */
    VkPhysicalDeviceSubgroupProperties subgroup = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
    VkPhysicalDeviceIDProperties ids = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES, .pNext = &subgroup};
    VkPhysicalDeviceMaintenance3Properties m3 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES,
                                                 .pNext = &ids};
    VkPhysicalDeviceDriverProperties driver = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
    VkPhysicalDeviceSubgroupSizeControlProperties size_control = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_PROPERTIES};
    vk_features features;
    vk_features_query(physical, &features);
    void *chain = &m3;
    /* Driver properties are core in 1.2; on 1.1 devices the name stays empty. */
    if (base.apiVersion >= VK_API_VERSION_1_2) {
        driver.pNext = chain;
        chain = &driver;
    }
    if (features.has_size_control) {
        size_control.pNext = chain;
        chain = &size_control;
    }
    VkPhysicalDeviceProperties2 props2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = chain};
    vkGetPhysicalDeviceProperties2(physical, &props2);
    snprintf(caps->driver_name, sizeof caps->driver_name, "%s", driver.driverName);
    snprintf(caps->driver_info, sizeof caps->driver_info, "%s", driver.driverInfo);
    memcpy(caps->device_uuid, ids.deviceUUID, sizeof caps->device_uuid);
    caps->max_allocation_bytes = m3.maxMemoryAllocationSize;
    caps->subgroup_size = subgroup.subgroupSize;
    caps->subgroup_ops = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) ? subgroup.supportedOperations : 0;
    caps->subgroup_min_size = caps->subgroup_max_size = subgroup.subgroupSize;
    if (features.has_size_control && features.size_control.subgroupSizeControl && size_control.minSubgroupSize) {
        caps->subgroup_min_size = size_control.minSubgroupSize;
        caps->subgroup_max_size = size_control.maxSubgroupSize;
        caps->max_compute_workgroup_subgroups = size_control.maxComputeWorkgroupSubgroups;
        /* requiring a size is only valid in the stages the driver lists (VUID-...-pNext-02755) */
        caps->subgroup_size_control = (size_control.requiredSubgroupSizeStages & VK_SHADER_STAGE_COMPUTE_BIT) != 0;
    }

    /* memory heaps */
    VkPhysicalDeviceMemoryProperties mem;
    vkGetPhysicalDeviceMemoryProperties(physical, &mem);
    caps->heap_count = mem.memoryHeapCount < GPU_MAX_HEAPS ? mem.memoryHeapCount : GPU_MAX_HEAPS;
    for (uint32_t h = 0; h < caps->heap_count; h++) {
        caps->heap_size[h] = mem.memoryHeaps[h].size;
        caps->heap_device_local[h] = mem.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT;
        if (caps->heap_device_local[h]) caps->device_local_bytes += mem.memoryHeaps[h].size;
    }
    for (uint32_t t = 0; t < mem.memoryTypeCount; t++) {
        VkMemoryPropertyFlags fl = mem.memoryTypes[t].propertyFlags;
        if ((fl & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) && (fl & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
            caps->unified_memory = true;
    }

    /* queues: timestamps need both the limit and a queue family that counts */
    uint32_t family = 0, ts_bits = 0;
    bool has_queue = vk_pick_queue_family(physical, &family, &ts_bits);
    caps->timestamps = has_queue && ts_bits > 0 && lim->timestampComputeAndGraphics && lim->timestampPeriod > 0;

    /* features */
    caps->storage_16bit = features.storage16.storageBuffer16BitAccess;
    caps->storage_8bit = features.has_storage8 && features.storage8.storageBuffer8BitAccess;
    caps->fp16_arithmetic = features.has_float16_int8 && features.float16_int8.shaderFloat16;
    caps->int8_arithmetic = features.has_float16_int8 && features.float16_int8.shaderInt8;
    caps->integer_dot_product = features.has_int_dot && features.int_dot.shaderIntegerDotProduct;
    caps->cooperative_matrix = features.has_coop_matrix;

    vk_quirks_apply(caps);
}
