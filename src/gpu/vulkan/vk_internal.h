/* vk_internal.h — the Vulkan backend's private structs and the functions its files share.
 *
 * Files: vk_instance.c (loader, instance, validation messenger, device enumeration), vk_probe.c (caps),
 * vk_quirks.c (driver quirk table), vk_device.c (logical device, buffers, staging, the backend table),
 * vk_memory.c (block sub-allocator), vk_pipeline.c (pipelines, on-disk pipeline cache), vk_cmd.c
 * (recording, submit, timestamps).
 *
 * volk loads the loader at run time (no link-time libvulkan). Instance-level entry points are volk's globals
 * (one loader per process); device-level ones go through a VolkDeviceTable per device, so several devices
 * coexist without global state.
 */
#ifndef VKVLM_GPU_VULKAN_INTERNAL_H
#define VKVLM_GPU_VULKAN_INTERNAL_H

#include <volk.h>

#include "gpu/gpu_backend.h"

/* Instance-level state, one per gpu_context. */
typedef struct vk_state {
    VkInstance instance;
    VkDebugUtilsMessengerEXT messenger; /* only with validation */
    gpu_context *ctx;                   /* for the messenger's counter and logger */
    uint32_t physical_count;
    VkPhysicalDevice *physical;         /* [physical_count], in caps order of the context's vulkan devices */
    uint32_t instance_api;              /* what the loader offers */
} vk_state;

/* One large VkDeviceMemory block that buffers are carved from. */
typedef struct vk_block {
    VkDeviceMemory memory;
    uint64_t size;
    uint32_t type_index;
    void *mapped;          /* persistent map for host-visible types, else NULL */
    struct vk_free_range { uint64_t offset, size; } *free; /* sorted by offset, coalesced */
    int free_count, free_capacity;
    uint64_t used;         /* bytes handed out */
} vk_block;

typedef struct vk_allocation {
    int block;        /* index into the device's blocks */
    uint64_t offset;  /* within the block */
    uint64_t size;
} vk_allocation;

typedef struct vk_pipeline {
    gpu_kernel kernel;
    uint32_t spec[GPU_MAX_SPEC_CONSTANTS];
    VkPipeline pipeline;
} vk_pipeline;

typedef struct vk_device {
    vk_state *vk;
    VkPhysicalDevice physical;
    VkDevice device;
    struct VolkDeviceTable fn;       /* device-level entry points of this VkDevice */
    VkQueue queue;
    uint32_t queue_family;
    uint32_t timestamp_valid_bits;
    VkPhysicalDeviceMemoryProperties memory_props;
    VkCommandPool pool;              /* one per device: commands are recorded from one thread at a time */
    vk_block *blocks;
    int block_count, block_capacity;
    uint64_t block_size;             /* default block size */
    uint64_t max_allocation;         /* maxMemoryAllocationSize, 0 if unknown */
    bool staged_transfers;           /* gpu_device_desc.staged_transfers */
    uint32_t required_subgroup_size; /* caps.subgroup_required_size: every pipeline requires it; 0 none */
    /* fault injection for tests (VKVLM_FAULT=submit=N|wait=N|alloc=N): the N-th call of that kind fails as a
     * lost device (submit, wait) or exhausted device memory (alloc); 0 = never */
    uint32_t fault_submit_at, fault_wait_at, fault_alloc_at;
    uint32_t submits, waits, allocs; /* calls so far */
    VkPipelineCache pipeline_cache;
    char cache_path[1024];           /* "" when the on-disk cache is off */
    VkDescriptorSetLayout set_layouts[GPU_KERNEL_COUNT];
    VkPipelineLayout pipeline_layouts[GPU_KERNEL_COUNT];
    VkShaderModule shaders[GPU_KERNEL_COUNT];
    vk_pipeline *pipelines;
    int pipeline_count, pipeline_capacity;
} vk_device;

typedef struct vk_buffer {
    VkBuffer buffer;
    vk_allocation alloc;
    void *mapped;     /* host pointer when the memory is host-visible, else NULL */
    bool coherent;
} vk_buffer;

typedef struct vk_cmd {
    VkCommandBuffer cb;
    VkDescriptorPool *pools;         /* grown as dispatches need sets */
    int pool_count, pool_capacity;
    VkQueryPool queries;             /* 2 timestamps per profile slot; VK_NULL_HANDLE without timestamps */
    uint32_t query_capacity;         /* slots the pool holds */
    VkFence fence;
} vk_cmd;

/* "vkCreateDevice: VK_ERROR_OUT_OF_DEVICE_MEMORY" style message; returns the mapped status. */
vkvlm_status vk_fail(vkvlm_error *err, const char *call, VkResult result);
const char *vk_result_name(VkResult result);

/* The feature structs vkvlm reads and enables, linked in one pNext chain (each only when its extension is
 * present or promoted into the device's API version), and the device extensions that enabling them needs. */
typedef struct vk_features {
    VkPhysicalDeviceFeatures2 base;
    VkPhysicalDevice16BitStorageFeatures storage16;
    VkPhysicalDevice8BitStorageFeatures storage8;
    VkPhysicalDeviceShaderFloat16Int8Features float16_int8;
    VkPhysicalDeviceShaderIntegerDotProductFeatures int_dot;
    VkPhysicalDeviceSubgroupSizeControlFeatures size_control;
    bool has_storage8, has_float16_int8, has_int_dot, has_size_control, has_coop_matrix;
    const char *extensions[8]; /* to enable at vkCreateDevice */
    uint32_t extension_count;
} vk_features;

/* vk_probe.c: queries the feature chain of a physical device. The struct must not move afterwards (the
 * chain points into it). */
void vk_features_query(VkPhysicalDevice physical, vk_features *f);
/* The queue family compute runs on (compute-capable, timestamps preferred, universal queue preferred). */
bool vk_pick_queue_family(VkPhysicalDevice physical, uint32_t *family, uint32_t *timestamp_bits);

/* vk_probe.c: fills caps for one physical device (then applies vk_quirks_apply). */
void vk_probe_caps(VkPhysicalDevice physical, gpu_caps *caps);
/* vk_quirks.c: one row of the quirk table. Zero / NULL / false match fields match anything. */
typedef struct vk_quirk_rule {
    const char *quirk;              /* the gpu_quirks flag it sets, by name */
    uint32_t vendor_id;             /* PCI / Khronos vendor id */
    uint32_t device_id;
    const char *device_name;        /* substring of deviceName */
    const char *driver_name;        /* substring of VkPhysicalDeviceDriverProperties.driverName */
    uint32_t driver_version_min;    /* raw driverVersion, inclusive (vendors encode it differently) */
    uint32_t driver_version_max;
    uint32_t types;                 /* bit (1 << gpu_device_type) per matching type */
    uint32_t subgroup_size_at_most; /* only when the reported subgroupSize is at most this */
    bool subgroup_range;            /* only when the driver reports a subgroup size range (min < max) */
    const char *symptom;            /* what goes wrong, for vkvlm devices and docs/portability.md */
    const char *source;             /* where it is documented: a URL or a document */
} vk_quirk_rule;

const vk_quirk_rule *vk_quirk_rules(int *count);
bool vk_quirk_rule_matches(const vk_quirk_rule *rule, const gpu_caps *caps);
/* Resets caps->quirks and sets the flags of every matching rule (their effects come later: gpu/quirks.h). */
void vk_quirks_apply(gpu_caps *caps);

/* Fault injection (vk_device.c): true when this call of the kind is the one VKVLM_FAULT names. */
bool vk_fault(uint32_t *calls, uint32_t at);

/* vk_memory.c */
vkvlm_status vk_memory_alloc(vk_device *d, const VkMemoryRequirements *req, VkMemoryPropertyFlags want,
                             VkMemoryPropertyFlags prefer, const char *label, vk_allocation *out, vkvlm_error *err);
void vk_memory_free(vk_device *d, const vk_allocation *alloc);
void vk_memory_destroy_all(vk_device *d);
VkMemoryPropertyFlags vk_memory_flags(const vk_device *d, const vk_allocation *alloc);

/* vk_pipeline.c */
vkvlm_status vk_pipeline_get(vk_device *d, gpu_kernel kernel, const uint32_t *spec, VkPipeline *out, vkvlm_error *err);
void vk_pipeline_cache_open(vk_device *d, const gpu_caps *caps, const char *cache_dir);
void vk_pipeline_destroy_all(vk_device *d); /* saves the cache first */

/* vk_cmd.c — the backend-table entries for commands */
vkvlm_status vk_cmd_begin(gpu_cmd *cmd, vkvlm_error *err);
void vk_cmd_barrier(gpu_cmd *cmd);
vkvlm_status vk_cmd_dispatch(gpu_cmd *cmd, const gpu_dispatch_desc *desc, int slot, vkvlm_error *err);
vkvlm_status vk_cmd_copy(gpu_cmd *cmd, gpu_buffer *dst, uint64_t dst_offset, gpu_buffer *src, uint64_t src_offset,
                         uint64_t size, int slot, vkvlm_error *err);
vkvlm_status vk_cmd_submit(gpu_cmd *cmd, vkvlm_error *err);
vkvlm_status vk_cmd_wait(gpu_cmd *cmd, vkvlm_error *err);
void vk_cmd_destroy(gpu_cmd *cmd);

/* vk_instance.c */
vkvlm_status vk_context_init(gpu_context *ctx, vkvlm_error *err);
void vk_context_shutdown(gpu_context *ctx);
/* The physical device behind the backend's n-th device. */
VkPhysicalDevice vk_physical_device(gpu_context *ctx, int backend_index);

/* Test hook (tests/unit/test_validation.c): records a deliberate API misuse so the test can prove the
 * validation messenger counts it. Never called by the engine. */
void vk_debug_plant_misuse(gpu_device *dev);

#endif
