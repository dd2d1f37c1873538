/* vk_memory.c — device memory as a few large VkDeviceMemory blocks that buffers are carved from.
 *
 * Drivers limit the number of allocations (maxMemoryAllocationCount can be 4096) and each one is slow, so a
 * model's hundreds of tensors share blocks. Policy: first fit in a block of the right memory type, else a
 * new block of max(default block size, request) capped at maxMemoryAllocationSize. Free ranges are kept
 * sorted and coalesced. Host-visible blocks are mapped once for their lifetime. Blocks live until the device
 * is destroyed (the engine allocates once per session, so reuse beats returning memory to the driver). */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "gpu/vulkan/vk_internal.h"

static int find_memory_type(const vk_device *d, uint32_t type_bits, VkMemoryPropertyFlags want,
                            VkMemoryPropertyFlags prefer) {
    int fallback = -1;
    for (uint32_t i = 0; i < d->memory_props.memoryTypeCount; i++) {
        if (!(type_bits & (1u << i))) continue;
        VkMemoryPropertyFlags fl = d->memory_props.memoryTypes[i].propertyFlags;
        if ((fl & want) != want) continue;
        if ((fl & prefer) == prefer) return (int)i;
        if (fallback < 0) fallback = (int)i;
    }
    return fallback;
}

static bool free_insert(vk_block *b, int at, uint64_t offset, uint64_t size) {
    if (b->free_count == b->free_capacity) {
        int capacity = b->free_capacity ? b->free_capacity * 2 : 16;
        struct vk_free_range *grown = realloc(b->free, (size_t)capacity * sizeof *grown);
        if (!grown) return false;
        b->free = grown;
        b->free_capacity = capacity;
    }
    memmove(&b->free[at + 1], &b->free[at], (size_t)(b->free_count - at) * sizeof *b->free);
    b->free[at].offset = offset;
    b->free[at].size = size;
    b->free_count++;
    return true;
}

static void free_remove(vk_block *b, int at) {
    memmove(&b->free[at], &b->free[at + 1], (size_t)(b->free_count - at - 1) * sizeof *b->free);
    b->free_count--;
}

/* Carves [aligned offset, +size) out of the first free range that fits. */
static bool block_take(vk_block *b, uint64_t size, uint64_t alignment, uint64_t *out_offset) {
    for (int i = 0; i < b->free_count; i++) {
        uint64_t start = b->free[i].offset, end = start + b->free[i].size;
        uint64_t aligned = (start + alignment - 1) / alignment * alignment;
        if (aligned > end || end - aligned < size) continue;
        uint64_t head = aligned - start, tail = end - (aligned + size);
        if (head && tail) {
            b->free[i].size = head;
            if (!free_insert(b, i + 1, aligned + size, tail)) {
                b->free[i].size = end - start;
                return false;
            }
        } else if (head) {
            b->free[i].size = head;
        } else if (tail) {
            b->free[i].offset = aligned + size;
            b->free[i].size = tail;
        } else {
            free_remove(b, i);
        }
        b->used += size;
        *out_offset = aligned;
        return true;
    }
    return false;
}

static vkvlm_status block_create(vk_device *d, uint32_t type_index, uint64_t size, const char *label,
                                 vkvlm_error *err) {
    if (d->block_count == d->block_capacity) {
        int capacity = d->block_capacity ? d->block_capacity * 2 : 8;
        vk_block *grown = realloc(d->blocks, (size_t)capacity * sizeof *grown);
        if (!grown) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "vulkan memory: out of host memory");
        d->blocks = grown;
        d->block_capacity = capacity;
    }
    vk_block b = {.size = size, .type_index = type_index};
    VkMemoryAllocateInfo info = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = size, .memoryTypeIndex = type_index};
    VkResult r = vk_fault(&d->allocs, d->fault_alloc_at) ? VK_ERROR_OUT_OF_DEVICE_MEMORY /* injected (VKVLM_FAULT) */
                                                          : d->fn.vkAllocateMemory(d->device, &info, NULL, &b.memory);
    if (r != VK_SUCCESS) {
        vk_fail(err, "vkAllocateMemory", r);
        return vkvlm_error_context(err, "buffer %s: allocating a %llu MiB block of device memory", label,
                                   (unsigned long long)(size >> 20));
    }
    if (d->memory_props.memoryTypes[type_index].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
        r = d->fn.vkMapMemory(d->device, b.memory, 0, VK_WHOLE_SIZE, 0, &b.mapped);
        if (r != VK_SUCCESS) {
            d->fn.vkFreeMemory(d->device, b.memory, NULL);
            return vk_fail(err, "vkMapMemory", r);
        }
    }
    if (!free_insert(&b, 0, 0, size)) {
        d->fn.vkFreeMemory(d->device, b.memory, NULL);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "vulkan memory: out of host memory");
    }
    d->blocks[d->block_count++] = b;
    return VKVLM_OK;
}

vkvlm_status vk_memory_alloc(vk_device *d, const VkMemoryRequirements *req, VkMemoryPropertyFlags want,
                             VkMemoryPropertyFlags prefer, const char *label, vk_allocation *out, vkvlm_error *err) {
    int type = find_memory_type(d, req->memoryTypeBits, want, prefer);
    if (type < 0)
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "buffer %s: no memory type with properties 0x%x",
                               label, (unsigned)want);
    uint64_t alignment = req->alignment ? req->alignment : 1;
    for (int i = 0; i < d->block_count; i++) {
        vk_block *b = &d->blocks[i];
        if (b->type_index != (uint32_t)type) continue;
        if (block_take(b, req->size, alignment, &out->offset)) {
            out->block = i;
            out->size = req->size;
            return VKVLM_OK;
        }
    }
    uint64_t max_alloc = d->max_allocation;
    if (max_alloc && req->size > max_alloc)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT,
                               "buffer %s: %llu bytes exceed the device's largest allocation (%llu bytes)", label,
                               (unsigned long long)req->size, (unsigned long long)max_alloc);
    uint64_t size = req->size > d->block_size ? req->size : d->block_size;
    if (max_alloc && size > max_alloc) size = max_alloc;
    uint32_t heap = d->memory_props.memoryTypes[type].heapIndex;
    uint64_t heap_size = d->memory_props.memoryHeaps[heap].size;
    if (size > heap_size && req->size <= heap_size) size = req->size; /* small heaps: no big block */
    vkvlm_status st = block_create(d, (uint32_t)type, size, label, err);
    if (st != VKVLM_OK) return st;
    vk_block *b = &d->blocks[d->block_count - 1];
    if (!block_take(b, req->size, alignment, &out->offset))
        return vkvlm_error_set(err, VKVLM_ERR_INTERNAL, "buffer %s: fresh block too small", label);
    out->block = d->block_count - 1;
    out->size = req->size;
    return VKVLM_OK;
}

void vk_memory_free(vk_device *d, const vk_allocation *alloc) {
    vk_block *b = &d->blocks[alloc->block];
    uint64_t offset = alloc->offset, size = alloc->size;
    int at = 0;
    while (at < b->free_count && b->free[at].offset < offset) at++;
    b->used -= size;
    /* coalesce with the neighbours */
    bool merged_prev = at > 0 && b->free[at - 1].offset + b->free[at - 1].size == offset;
    bool merged_next = at < b->free_count && offset + size == b->free[at].offset;
    if (merged_prev && merged_next) {
        b->free[at - 1].size += size + b->free[at].size;
        free_remove(b, at);
    } else if (merged_prev) {
        b->free[at - 1].size += size;
    } else if (merged_next) {
        b->free[at].offset = offset;
        b->free[at].size += size;
    } else if (!free_insert(b, at, offset, size)) {
        /* Out of host memory for the free list: the range stays lost until the device goes; nothing breaks. */
    }
}

VkMemoryPropertyFlags vk_memory_flags(const vk_device *d, const vk_allocation *alloc) {
    return d->memory_props.memoryTypes[d->blocks[alloc->block].type_index].propertyFlags;
}

void vk_memory_destroy_all(vk_device *d) {
    for (int i = 0; i < d->block_count; i++) {
        if (d->blocks[i].mapped) d->fn.vkUnmapMemory(d->device, d->blocks[i].memory);
        d->fn.vkFreeMemory(d->device, d->blocks[i].memory, NULL);
        free(d->blocks[i].free);
    }
    free(d->blocks);
    d->blocks = NULL;
    d->block_count = d->block_capacity = 0;
}
