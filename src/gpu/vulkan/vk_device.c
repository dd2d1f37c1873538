/* vk_device.c — the logical device, buffers and their host transfers, and the Vulkan backend's table.
 *
 * Memory policy: storage buffers prefer device-local memory; where that memory is also host-visible
 * (lavapipe, integrated GPUs, ReBAR) host copies are plain memcpy, otherwise they go through a staging
 * buffer of at most 16 MiB, in chunks. The staging buffer is carved from the device's memory blocks for
 * the length of one transfer, so it costs no driver allocation after the first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "gpu/vulkan/vk_internal.h"

enum { VK_STAGING_BYTES = 16u << 20, VK_BLOCK_BYTES = 64u << 20 };

static void name_object(vk_device *d, VkObjectType type, uint64_t handle, const char *label) {
    /* Object names make validation messages point at "buffer kv_cache" instead of a raw handle. */
    if (!vkSetDebugUtilsObjectNameEXT || !d->vk->ctx->validation || !label) return;
    VkDebugUtilsObjectNameInfoEXT info = {.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT,
                                          .objectType = type,
                                          .objectHandle = handle,
                                          .pObjectName = label};
    vkSetDebugUtilsObjectNameEXT(d->device, &info);
}

bool vk_fault(uint32_t *calls, uint32_t at) { return ++*calls == at && at != 0; }

/* VKVLM_FAULT=kind=N[,kind=N]: tests make the N-th submit / wait / block allocation fail to prove that a
 * lost device or exhausted memory mid-run is reported, cleaned up and ends in exit 1. Unknown text is
 * ignored here: this is a test switch, not a user option. */
static void parse_faults(vk_device *d) {
    const char *env = getenv("VKVLM_FAULT");
    if (!env) return;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", env);
    for (char *p = buf; p && *p;) {
        char *next = strchr(p, ',');
        if (next) *next++ = '\0';
        unsigned n = 0;
        if (sscanf(p, "submit=%u", &n) == 1) d->fault_submit_at = n;
        else if (sscanf(p, "wait=%u", &n) == 1) d->fault_wait_at = n;
        else if (sscanf(p, "alloc=%u", &n) == 1) d->fault_alloc_at = n;
        p = next;
    }
}

static vkvlm_status vk_device_create(gpu_device *dev, int backend_index, const gpu_device_desc *desc,
                                     vkvlm_error *err) {
    vk_device *d = calloc(1, sizeof *d);
    if (!d) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "vulkan device: out of host memory");
    dev->impl = d;
    d->vk = dev->ctx->backend_state[GPU_BACKEND_VULKAN];
    d->physical = vk_physical_device(dev->ctx, backend_index);
    if (!d->physical) return vkvlm_error_set(err, VKVLM_ERR_NO_DEVICE, "vulkan device %d not found", backend_index);
    if (!vk_pick_queue_family(d->physical, &d->queue_family, &d->timestamp_valid_bits))
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "the device has no compute queue");

    vk_features f;
    vk_features_query(d->physical, &f);
    /* Enable only what kernels use from the core set; robustBufferAccess and friends cost speed. */
    VkPhysicalDeviceFeatures supported = f.base.features;
    memset(&f.base.features, 0, sizeof f.base.features);
    f.base.features.shaderInt16 = supported.shaderInt16;
    float priority = 1.0f;
    VkDeviceQueueCreateInfo queue = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                     .queueFamilyIndex = d->queue_family,
                                     .queueCount = 1,
                                     .pQueuePriorities = &priority};
    VkDeviceCreateInfo info = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
                               .pNext = &f.base,
                               .queueCreateInfoCount = 1,
                               .pQueueCreateInfos = &queue,
                               .enabledExtensionCount = f.extension_count,
                               .ppEnabledExtensionNames = f.extensions};
    VkResult r = vkCreateDevice(d->physical, &info, NULL, &d->device);
    if (r != VK_SUCCESS) return vk_fail(err, "vkCreateDevice", r);
    volkLoadDeviceTable(&d->fn, d->device);
    d->fn.vkGetDeviceQueue(d->device, d->queue_family, 0, &d->queue);

    VkCommandPoolCreateInfo pool = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                    .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
                                    .queueFamilyIndex = d->queue_family};
    r = d->fn.vkCreateCommandPool(d->device, &pool, NULL, &d->pool);
    if (r != VK_SUCCESS) return vk_fail(err, "vkCreateCommandPool", r);

    vkGetPhysicalDeviceMemoryProperties(d->physical, &d->memory_props);
    d->max_allocation = dev->caps.max_allocation_bytes;
    d->block_size = VK_BLOCK_BYTES;
    d->staged_transfers = desc->staged_transfers;
    d->required_subgroup_size = dev->caps.subgroup_required_size;
    parse_faults(d);
    if (d->max_allocation && d->block_size > d->max_allocation) d->block_size = d->max_allocation;
    vk_pipeline_cache_open(d, &dev->caps, desc->cache_dir);
    return VKVLM_OK;
}

static void vk_device_destroy(gpu_device *dev) {
    vk_device *d = dev->impl;
    if (!d) return;
    if (d->device) {
        d->fn.vkDeviceWaitIdle(d->device);
        vk_pipeline_destroy_all(d);
        vk_memory_destroy_all(d);
        if (d->pool) d->fn.vkDestroyCommandPool(d->device, d->pool, NULL);
        d->fn.vkDestroyDevice(d->device, NULL);
    }
    free(d);
    dev->impl = NULL;
}

static vkvlm_status vk_buffer_create(gpu_buffer *buf, vkvlm_error *err) {
    vk_device *d = buf->dev->impl;
    vk_buffer *b = calloc(1, sizeof *b);
    if (!b) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "buffer %s: out of host memory", buf->label);
    VkBufferCreateInfo info = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                               .size = buf->size,
                               .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                        VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                               .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
    VkResult r = d->fn.vkCreateBuffer(d->device, &info, NULL, &b->buffer);
    if (r != VK_SUCCESS) {
        free(b);
        vk_fail(err, "vkCreateBuffer", r);
        return vkvlm_error_context(err, "buffer %s (%llu bytes)", buf->label, (unsigned long long)buf->size);
    }
    VkMemoryRequirements req;
    d->fn.vkGetBufferMemoryRequirements(d->device, b->buffer, &req);
    VkMemoryPropertyFlags want = 0, prefer = 0;
    switch (buf->kind) {
    case GPU_BUFFER_DEVICE: prefer = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT; break;
    case GPU_BUFFER_UPLOAD: want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT; break;
    case GPU_BUFFER_DOWNLOAD:
        want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
        prefer = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
        break;
    }
    vkvlm_status st = vk_memory_alloc(d, &req, want, prefer, buf->label, &b->alloc, err);
    if (st == VKVLM_OK) {
        r = d->fn.vkBindBufferMemory(d->device, b->buffer, d->blocks[b->alloc.block].memory, b->alloc.offset);
        if (r != VK_SUCCESS) {
            vk_memory_free(d, &b->alloc);
            st = vk_fail(err, "vkBindBufferMemory", r);
        }
    }
    if (st != VKVLM_OK) {
        d->fn.vkDestroyBuffer(d->device, b->buffer, NULL);
        free(b);
        return st;
    }
    VkMemoryPropertyFlags flags = vk_memory_flags(d, &b->alloc);
    /* Staging buffers stay mapped even when transfers are forced through staging, or nothing could stage. */
    bool direct = !d->staged_transfers || buf->kind != GPU_BUFFER_DEVICE;
    if (d->blocks[b->alloc.block].mapped && direct)
        b->mapped = (uint8_t *)d->blocks[b->alloc.block].mapped + b->alloc.offset;
    b->coherent = flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    name_object(d, VK_OBJECT_TYPE_BUFFER, (uint64_t)(uintptr_t)b->buffer, buf->label);
    buf->impl = b;
    buf->allocated = req.size;
    return VKVLM_OK;
}

static void vk_buffer_destroy(gpu_buffer *buf) {
    vk_device *d = buf->dev->impl;
    vk_buffer *b = buf->impl;
    if (!b) return;
    d->fn.vkDestroyBuffer(d->device, b->buffer, NULL);
    vk_memory_free(d, &b->alloc);
    free(b);
}

/* Non-coherent memory: flush or invalidate the whole block (offset 0 + VK_WHOLE_SIZE always satisfies the
 * nonCoherentAtomSize rules). */
static vkvlm_status sync_mapped(vk_device *d, vk_buffer *b, bool to_device, vkvlm_error *err) {
    if (b->coherent) return VKVLM_OK;
    VkMappedMemoryRange range = {.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE,
                                 .memory = d->blocks[b->alloc.block].memory,
                                 .offset = 0,
                                 .size = VK_WHOLE_SIZE};
    VkResult r = to_device ? d->fn.vkFlushMappedMemoryRanges(d->device, 1, &range)
                           : d->fn.vkInvalidateMappedMemoryRanges(d->device, 1, &range);
    return r == VK_SUCCESS ? VKVLM_OK : vk_fail(err, to_device ? "vkFlushMappedMemoryRanges" : "vkInvalidateMappedMemoryRanges", r);
}

/* One staged copy between buf and the staging buffer, submitted and waited for. */
static vkvlm_status staged_copy(gpu_buffer *buf, gpu_buffer *staging, uint64_t offset, uint64_t size, bool upload,
                                vkvlm_error *err) {
    gpu_cmd *cmd = NULL;
    vkvlm_status st = gpu_cmd_begin(buf->dev, &cmd, err);
    if (st != VKVLM_OK) return st;
    st = upload ? gpu_cmd_copy(cmd, buf, offset, staging, 0, size, err) : gpu_cmd_copy(cmd, staging, 0, buf, offset, size, err);
    if (st == VKVLM_OK) st = gpu_cmd_submit(cmd, err);
    if (st == VKVLM_OK) st = gpu_cmd_wait(cmd, err);
    gpu_cmd_destroy(cmd);
    return st;
}

static vkvlm_status staging_buffer(gpu_device *dev, uint64_t size, gpu_buffer **out, vkvlm_error *err) {
    /* Created through gpu.c like any buffer, so its memory shows in the device's accounting. */
    gpu_buffer_desc desc = {.size = size < VK_STAGING_BYTES ? size : VK_STAGING_BYTES,
                            .kind = GPU_BUFFER_UPLOAD,
                            .label = "staging"};
    return gpu_buffer_create(dev, &desc, out, err);
}

static vkvlm_status transfer(gpu_buffer *buf, uint64_t offset, void *host, uint64_t size, bool upload,
                             vkvlm_error *err) {
    vk_device *d = buf->dev->impl;
    vk_buffer *b = buf->impl;
    vkvlm_status st;
    if (b->mapped) {
        if (!upload && (st = sync_mapped(d, b, false, err)) != VKVLM_OK) return st;
        if (upload) memcpy((uint8_t *)b->mapped + offset, host, (size_t)size);
        else memcpy(host, (uint8_t *)b->mapped + offset, (size_t)size);
        return upload ? sync_mapped(d, b, true, err) : VKVLM_OK;
    }
    gpu_buffer *staging = NULL;
    st = staging_buffer(buf->dev, size, &staging, err);
    if (st != VKVLM_OK) return vkvlm_error_context(err, "buffer %s: staging", buf->label);
    vk_buffer *s = staging->impl;
    for (uint64_t done = 0; done < size && st == VKVLM_OK; done += VK_STAGING_BYTES) {
        uint64_t chunk = size - done < VK_STAGING_BYTES ? size - done : VK_STAGING_BYTES;
        if (upload) {
            memcpy(s->mapped, (uint8_t *)host + done, (size_t)chunk);
            st = staged_copy(buf, staging, offset + done, chunk, true, err);
        } else {
            st = staged_copy(buf, staging, offset + done, chunk, false, err);
            if (st == VKVLM_OK) st = sync_mapped(d, s, false, err);
            if (st == VKVLM_OK) memcpy((uint8_t *)host + done, s->mapped, (size_t)chunk);
        }
    }
    gpu_buffer_destroy(staging);
    return st;
}

static vkvlm_status vk_buffer_write(gpu_buffer *buf, uint64_t offset, const void *data, uint64_t size,
                                    vkvlm_error *err) {
    return transfer(buf, offset, (void *)data, size, true, err);
}

static vkvlm_status vk_buffer_read(gpu_buffer *buf, uint64_t offset, void *data, uint64_t size, vkvlm_error *err) {
    return transfer(buf, offset, data, size, false, err);
}

void vk_debug_plant_misuse(gpu_device *dev) {
    vk_device *d = dev->impl;
    /* VUID-VkBufferCreateInfo-size-00912: size must be greater than 0. Harmless to the driver. */
    VkBufferCreateInfo info = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                               .size = 0,
                               .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                               .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
    VkBuffer buffer = VK_NULL_HANDLE;
    if (d->fn.vkCreateBuffer(d->device, &info, NULL, &buffer) == VK_SUCCESS && buffer)
        d->fn.vkDestroyBuffer(d->device, buffer, NULL);
}

const gpu_backend_iface gpu_vulkan_backend = {
    .kind = GPU_BACKEND_VULKAN,
    .context_init = vk_context_init,
    .context_shutdown = vk_context_shutdown,
    .device_create = vk_device_create,
    .device_destroy = vk_device_destroy,
    .buffer_create = vk_buffer_create,
    .buffer_destroy = vk_buffer_destroy,
    .buffer_write = vk_buffer_write,
    .buffer_read = vk_buffer_read,
    .cmd_begin = vk_cmd_begin,
    .cmd_barrier = vk_cmd_barrier,
    .cmd_dispatch = vk_cmd_dispatch,
    .cmd_copy = vk_cmd_copy,
    .cmd_submit = vk_cmd_submit,
    .cmd_wait = vk_cmd_wait,
    .cmd_destroy = vk_cmd_destroy,
};
