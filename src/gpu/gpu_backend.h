/* gpu_backend.h — what a backend implements, and the common parts of every object (for backend files and
 * gpu.c only; everyone else uses gpu.h).
 *
 * Each object is a backend-neutral common part with an `impl` pointer to the backend's part (sokol's
 * pattern). gpu.c's wrappers validate arguments, bounds-check ranges, track hazards and keep memory
 * accounting; the backend functions may assume valid input.
 */
#ifndef VKVLM_GPU_BACKEND_H
#define VKVLM_GPU_BACKEND_H

#include <stdatomic.h>

#include "gpu/gpu.h"
#include "gpu/limits.h"
#include "gpu/quirks.h"

typedef struct gpu_backend_iface gpu_backend_iface;

struct gpu_context {
    gpu_context_desc desc;                          /* as given, defaults resolved */
    bool validation;                                /* validation layer requested */
    atomic_uint_fast64_t validation_messages;       /* counted by the debug messenger (any thread) */
    gpu_device_info *devices;                       /* every backend's devices, [device_count] */
    int device_count;
    int device_capacity;
    void *backend_state[GPU_BACKEND_COUNT];         /* each backend's instance-level state */
    char vulkan_note[256];                          /* why Vulkan has no device, or "" */
    gpu_limits limits;                              /* applied to GPU devices as they are added */
    gpu_quirk_overrides quirks;                     /* VKVLM_QUIRKS, applied to GPU devices before the limits */
};

struct gpu_device {
    gpu_context *ctx;
    int index;                     /* into ctx->devices */
    const gpu_backend_iface *iface;
    gpu_caps caps;                 /* copy of the enumerated caps */
    void *impl;                    /* backend part */
    uint64_t memory_in_use;        /* bytes held by live buffers (as allocated, alignment included) */
    uint64_t memory_peak;
};

struct gpu_buffer {
    gpu_device *dev;
    uint64_t size;                 /* bytes asked for */
    uint64_t allocated;            /* bytes the backend reserved (set by buffer_create) */
    gpu_buffer_kind kind;
    char label[64];
    void *impl;
};

/* A byte range one dispatch touches, for the hazard tracker. */
typedef struct gpu_range {
    const gpu_buffer *buffer;
    uint64_t begin, end; /* [begin, end) bytes */
} gpu_range;

typedef struct gpu_range_list {
    gpu_range *items;
    int count, capacity;
} gpu_range_list;

typedef enum gpu_cmd_state { GPU_CMD_RECORDING, GPU_CMD_SUBMITTED, GPU_CMD_DONE, GPU_CMD_FAILED } gpu_cmd_state;

struct gpu_cmd {
    gpu_device *dev;
    gpu_cmd_state state;
    vkvlm_error failure;           /* the first recording error: submit reports it */
    gpu_range_list reads;          /* ranges read since the last barrier */
    gpu_range_list writes;         /* ranges written since the last barrier */
    uint32_t barriers;
    gpu_profile_entry *profile;    /* one per dispatch or copy, [profile_count] */
    gpu_buffer **bounces;          /* aligned scratch for bindings at offsets the device cannot bind, [bounce_count];
                                      freed with the command */
    int bounce_count, bounce_capacity;
    int profile_count, profile_capacity;
    void *impl;
};

struct gpu_backend_iface {
    gpu_backend_kind kind;
    /* Loads the backend and appends its devices with gpu_context_add_device. A backend that cannot load
     * (no loader, no driver) writes ctx->vulkan_note and returns VKVLM_OK: that is not an error. */
    vkvlm_status (*context_init)(gpu_context *ctx, vkvlm_error *err);
    void (*context_shutdown)(gpu_context *ctx);
    /* dev->index and dev->caps are set; fills dev->impl. backend_index: the device among the backend's. */
    vkvlm_status (*device_create)(gpu_device *dev, int backend_index, const gpu_device_desc *desc, vkvlm_error *err);
    void (*device_destroy)(gpu_device *dev); /* also when device_create failed half-way */
    /* buf->size, kind, label set; fills impl and buf->allocated. */
    vkvlm_status (*buffer_create)(gpu_buffer *buf, vkvlm_error *err);
    void (*buffer_destroy)(gpu_buffer *buf);
    vkvlm_status (*buffer_write)(gpu_buffer *buf, uint64_t offset, const void *data, uint64_t size, vkvlm_error *err);
    vkvlm_status (*buffer_read)(gpu_buffer *buf, uint64_t offset, void *data, uint64_t size, vkvlm_error *err);
    vkvlm_status (*cmd_begin)(gpu_cmd *cmd, vkvlm_error *err);
    /* A full compute->compute (and transfer) memory + execution barrier. */
    void (*cmd_barrier)(gpu_cmd *cmd);
    /* Bindings have sizes resolved (never 0), groups >= 1. profile_slot: index into cmd->profile. */
    vkvlm_status (*cmd_dispatch)(gpu_cmd *cmd, const gpu_dispatch_desc *desc, int profile_slot, vkvlm_error *err);
    vkvlm_status (*cmd_copy)(gpu_cmd *cmd, gpu_buffer *dst, uint64_t dst_offset, gpu_buffer *src,
                             uint64_t src_offset, uint64_t size, int profile_slot, vkvlm_error *err);
    vkvlm_status (*cmd_submit)(gpu_cmd *cmd, vkvlm_error *err);
    /* Waits, then writes cmd->profile[i].ms for every slot. */
    vkvlm_status (*cmd_wait)(gpu_cmd *cmd, vkvlm_error *err);
    void (*cmd_destroy)(gpu_cmd *cmd); /* never called on a submitted, unwaited command */
};

/* Appends a device to the context's list (backends call this from context_init). */
vkvlm_status gpu_context_add_device(gpu_context *ctx, const gpu_caps *caps, vkvlm_error *err);

extern const gpu_backend_iface gpu_cpu_backend;
extern const gpu_backend_iface gpu_vulkan_backend;
extern const gpu_backend_iface gpu_webgpu_backend; /* Emscripten build only (src/gpu/webgpu/) */

#endif
