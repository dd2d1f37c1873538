/* vk_cmd.c — one gpu_cmd = one primary command buffer, recorded once, submitted once with a fence.
 *
 * Descriptor sets come from pools owned by the command (freed with it), so recording needs no locking and
 * no per-dispatch allocation from the driver. Each dispatch is bracketed by two timestamps when the device
 * has them; after the fence, the profile gets one GPU time per dispatch. The last command in every buffer
 * is a barrier that makes shader writes visible to the host, so a read right after wait sees them. */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "gpu/vulkan/vk_internal.h"

enum {
    VK_SETS_PER_POOL = 128,
    VK_TIMED_SLOTS = 2048,               /* dispatches timed per command; later ones report 0 ms */
    VK_FENCE_TIMEOUT_NS_PER_S = 1000000000,
};

static const uint64_t VK_FENCE_TIMEOUT_S = 600; /* lavapipe is slow; a hung device still ends */

vkvlm_status vk_cmd_begin(gpu_cmd *cmd, vkvlm_error *err) {
    vk_device *d = cmd->dev->impl;
    vk_cmd *c = calloc(1, sizeof *c);
    if (!c) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "command: out of host memory");
    cmd->impl = c;
    VkCommandBufferAllocateInfo alloc = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                         .commandPool = d->pool,
                                         .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                         .commandBufferCount = 1};
    VkResult r = d->fn.vkAllocateCommandBuffers(d->device, &alloc, &c->cb);
    if (r != VK_SUCCESS) {
        vk_cmd_destroy(cmd);
        return vk_fail(err, "vkAllocateCommandBuffers", r);
    }
    VkFenceCreateInfo fence = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    r = d->fn.vkCreateFence(d->device, &fence, NULL, &c->fence);
    if (r != VK_SUCCESS) {
        vk_cmd_destroy(cmd);
        return vk_fail(err, "vkCreateFence", r);
    }
    VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                      .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
    r = d->fn.vkBeginCommandBuffer(c->cb, &begin);
    if (r != VK_SUCCESS) {
        vk_cmd_destroy(cmd);
        return vk_fail(err, "vkBeginCommandBuffer", r);
    }
    if (cmd->dev->caps.timestamps) {
        VkQueryPoolCreateInfo q = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
                                   .queryType = VK_QUERY_TYPE_TIMESTAMP,
                                   .queryCount = 2 * VK_TIMED_SLOTS};
        r = d->fn.vkCreateQueryPool(d->device, &q, NULL, &c->queries);
        if (r != VK_SUCCESS) {
            vk_cmd_destroy(cmd);
            return vk_fail(err, "vkCreateQueryPool", r);
        }
        c->query_capacity = VK_TIMED_SLOTS;
        d->fn.vkCmdResetQueryPool(c->cb, c->queries, 0, 2 * VK_TIMED_SLOTS);
    }
    return VKVLM_OK;
}

static void memory_barrier(vk_device *d, VkCommandBuffer cb, VkPipelineStageFlags dst_stage, VkAccessFlags dst_access) {
    VkMemoryBarrier barrier = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                               .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
                               .dstAccessMask = dst_access};
    d->fn.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, dst_stage,
                               0, 1, &barrier, 0, NULL, 0, NULL);
}

void vk_cmd_barrier(gpu_cmd *cmd) {
    vk_device *d = cmd->dev->impl;
    vk_cmd *c = cmd->impl;
    memory_barrier(d, c->cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                   VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                       VK_ACCESS_TRANSFER_WRITE_BIT);
}

static vkvlm_status allocate_set(vk_device *d, vk_cmd *c, VkDescriptorSetLayout layout, VkDescriptorSet *out,
                                 vkvlm_error *err) {
    VkResult r = VK_ERROR_OUT_OF_POOL_MEMORY;
    if (c->pool_count) {
        VkDescriptorSetAllocateInfo info = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                            .descriptorPool = c->pools[c->pool_count - 1],
                                            .descriptorSetCount = 1,
                                            .pSetLayouts = &layout};
        r = d->fn.vkAllocateDescriptorSets(d->device, &info, out);
    }
    if (r == VK_SUCCESS) return VKVLM_OK;
    if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL) return vk_fail(err, "vkAllocateDescriptorSets", r);
    if (c->pool_count == c->pool_capacity) {
        int capacity = c->pool_capacity ? c->pool_capacity * 2 : 4;
        VkDescriptorPool *grown = realloc(c->pools, (size_t)capacity * sizeof *grown);
        if (!grown) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "command: out of host memory");
        c->pools = grown;
        c->pool_capacity = capacity;
    }
    VkDescriptorPoolSize size = {.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                 .descriptorCount = VK_SETS_PER_POOL * GPU_MAX_BINDINGS};
    VkDescriptorPoolCreateInfo pool = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                       .maxSets = VK_SETS_PER_POOL,
                                       .poolSizeCount = 1,
                                       .pPoolSizes = &size};
    r = d->fn.vkCreateDescriptorPool(d->device, &pool, NULL, &c->pools[c->pool_count]);
    if (r != VK_SUCCESS) return vk_fail(err, "vkCreateDescriptorPool", r);
    c->pool_count++;
    VkDescriptorSetAllocateInfo info = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                        .descriptorPool = c->pools[c->pool_count - 1],
                                        .descriptorSetCount = 1,
                                        .pSetLayouts = &layout};
    r = d->fn.vkAllocateDescriptorSets(d->device, &info, out);
    return r == VK_SUCCESS ? VKVLM_OK : vk_fail(err, "vkAllocateDescriptorSets", r);
}

static void timestamp(vk_device *d, vk_cmd *c, int slot, int which) {
    if (!c->queries || (uint32_t)slot >= c->query_capacity) return;
    d->fn.vkCmdWriteTimestamp(c->cb, which ? VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT : VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
                              c->queries, 2 * (uint32_t)slot + (uint32_t)which);
}

vkvlm_status vk_cmd_dispatch(gpu_cmd *cmd, const gpu_dispatch_desc *desc, int slot, vkvlm_error *err) {
    vk_device *d = cmd->dev->impl;
    vk_cmd *c = cmd->impl;
    const gpu_kernel_info *info = gpu_kernel_get(desc->kernel);
    VkPipeline pipeline;
    vkvlm_status st = vk_pipeline_get(d, desc->kernel, desc->spec, &pipeline, err);
    if (st != VKVLM_OK) return st;
    VkDescriptorSet set;
    st = allocate_set(d, c, d->set_layouts[desc->kernel], &set, err);
    if (st != VKVLM_OK) return st;
    VkDescriptorBufferInfo buffers[GPU_MAX_BINDINGS];
    VkWriteDescriptorSet writes[GPU_MAX_BINDINGS];
    for (uint32_t b = 0; b < info->bindings; b++) {
        const gpu_binding *bind = &desc->bindings[b];
        buffers[b] = (VkDescriptorBufferInfo){
            .buffer = ((vk_buffer *)bind->buffer->impl)->buffer, .offset = bind->offset, .range = bind->size};
        writes[b] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                                           .dstSet = set,
                                           .dstBinding = b,
                                           .descriptorCount = 1,
                                           .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                           .pBufferInfo = &buffers[b]};
    }
    d->fn.vkUpdateDescriptorSets(d->device, info->bindings, writes, 0, NULL);
    timestamp(d, c, slot, 0);
    d->fn.vkCmdBindPipeline(c->cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    d->fn.vkCmdBindDescriptorSets(c->cb, VK_PIPELINE_BIND_POINT_COMPUTE, d->pipeline_layouts[desc->kernel], 0, 1, &set,
                                  0, NULL);
    if (info->params_size)
        d->fn.vkCmdPushConstants(c->cb, d->pipeline_layouts[desc->kernel], VK_SHADER_STAGE_COMPUTE_BIT, 0,
                                 info->params_size, desc->params);
    d->fn.vkCmdDispatch(c->cb, desc->groups[0], desc->groups[1], desc->groups[2]);
    timestamp(d, c, slot, 1);
    return VKVLM_OK;
}

vkvlm_status vk_cmd_copy(gpu_cmd *cmd, gpu_buffer *dst, uint64_t dst_offset, gpu_buffer *src, uint64_t src_offset,
                         uint64_t size, int slot, vkvlm_error *err) {
    vk_device *d = cmd->dev->impl;
    vk_cmd *c = cmd->impl;
    VkBufferCopy region = {.srcOffset = src_offset, .dstOffset = dst_offset, .size = size};
    timestamp(d, c, slot, 0);
    d->fn.vkCmdCopyBuffer(c->cb, ((vk_buffer *)src->impl)->buffer, ((vk_buffer *)dst->impl)->buffer, 1, &region);
    timestamp(d, c, slot, 1);
    return VKVLM_OK;
}

vkvlm_status vk_cmd_submit(gpu_cmd *cmd, vkvlm_error *err) {
    vk_device *d = cmd->dev->impl;
    vk_cmd *c = cmd->impl;
    memory_barrier(d, c->cb, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
    VkResult r = d->fn.vkEndCommandBuffer(c->cb);
    if (r != VK_SUCCESS) return vk_fail(err, "vkEndCommandBuffer", r);
    VkSubmitInfo submit = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &c->cb};
    if (vk_fault(&d->submits, d->fault_submit_at)) return vk_fail(err, "vkQueueSubmit (fault injected by VKVLM_FAULT)", VK_ERROR_DEVICE_LOST);
    r = d->fn.vkQueueSubmit(d->queue, 1, &submit, c->fence);
    return r == VK_SUCCESS ? VKVLM_OK : vk_fail(err, "vkQueueSubmit", r);
}

vkvlm_status vk_cmd_wait(gpu_cmd *cmd, vkvlm_error *err) {
    vk_device *d = cmd->dev->impl;
    vk_cmd *c = cmd->impl;
    VkResult r = d->fn.vkWaitForFences(d->device, 1, &c->fence, VK_TRUE, VK_FENCE_TIMEOUT_S * VK_FENCE_TIMEOUT_NS_PER_S);
    if (r == VK_SUCCESS && vk_fault(&d->waits, d->fault_wait_at))
        return vk_fail(err, "vkWaitForFences (fault injected by VKVLM_FAULT)", VK_ERROR_DEVICE_LOST);
    if (r == VK_TIMEOUT)
        return vkvlm_error_set(err, VKVLM_ERR_DEVICE, "the device did not finish a command within %llu s",
                               (unsigned long long)VK_FENCE_TIMEOUT_S);
    if (r != VK_SUCCESS) return vk_fail(err, "vkWaitForFences", r);
    uint32_t timed = (uint32_t)cmd->profile_count < c->query_capacity ? (uint32_t)cmd->profile_count : c->query_capacity;
    if (c->queries && timed) {
        uint64_t *ticks = calloc(2 * (size_t)timed, sizeof *ticks);
        if (!ticks) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "command: out of host memory");
        r = d->fn.vkGetQueryPoolResults(d->device, c->queries, 0, 2 * timed, 2 * timed * sizeof *ticks, ticks,
                                        sizeof *ticks, VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
        if (r == VK_SUCCESS) {
            uint64_t mask = d->timestamp_valid_bits >= 64 ? UINT64_MAX : ((UINT64_C(1) << d->timestamp_valid_bits) - 1);
            double period = cmd->dev->caps.timestamp_period_ns;
            for (uint32_t i = 0; i < timed; i++) {
                uint64_t t0 = ticks[2 * i] & mask, t1 = ticks[2 * i + 1] & mask;
                cmd->profile[i].ms = (double)((t1 - t0) & mask) * period * 1e-6;
            }
        }
        free(ticks);
        if (r != VK_SUCCESS) return vk_fail(err, "vkGetQueryPoolResults", r);
    }
    return VKVLM_OK;
}

void vk_cmd_destroy(gpu_cmd *cmd) {
    vk_device *d = cmd->dev->impl;
    vk_cmd *c = cmd->impl;
    if (!c) return;
    for (int i = 0; i < c->pool_count; i++) d->fn.vkDestroyDescriptorPool(d->device, c->pools[i], NULL);
    free(c->pools);
    if (c->queries) d->fn.vkDestroyQueryPool(d->device, c->queries, NULL);
    if (c->fence) d->fn.vkDestroyFence(d->device, c->fence, NULL);
    if (c->cb) d->fn.vkFreeCommandBuffers(d->device, d->pool, 1, &c->cb);
    free(c);
    cmd->impl = NULL;
}
