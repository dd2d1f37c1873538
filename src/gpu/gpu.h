/* gpu.h — the backend interface: devices, buffers, kernels and command recording, for three backends
 * (Vulkan, WebGPU, the CPU reference). Nothing in here knows about models; nothing above knows which backend
 * runs.
 *
 * Objects and lifetimes (each create is declared beside its destroy; destroy accepts NULL):
 *   gpu_context  — owns the backends' instances and the list of every device they see. One per caller; no
 *                  global state.
 *   gpu_device   — one opened device (a Vulkan VkDevice + queue, or the CPU reference).
 *   gpu_buffer   — device memory: storage (GPU_BUFFER_DEVICE), or host-side staging kinds.
 *   gpu_cmd      — one stage's recording (vision encode, prefill, a decode step): dispatches and copies,
 *                  submitted once, waited on with a fence, then read for per-dispatch timings.
 *
 * Kernels are named by the shared kernel table (gpu/kernels.h): each entry fixes the bindings, which of them
 * are written, and the push-constant struct, for every backend. gpu_cmd_dispatch inserts a barrier exactly
 * when a dispatch touches a buffer that an earlier dispatch since the last barrier wrote (read-after-write,
 * write-after-write) or read (write-after-read).
 *
 * What this layer does not do: choose kernels or grid sizes for an op (gpu/ops.h), plan memory for a model
 * (engine/), or split tensors larger than one binding (the layer above binds row ranges).
 */
#ifndef VKVLM_GPU_H
#define VKVLM_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpu/kernels.h"
#include "vkvlm.h"

typedef enum gpu_backend_kind {
    GPU_BACKEND_DEFAULT = 0, /* choose: the best Vulkan device, else the CPU reference */
    GPU_BACKEND_VULKAN,
    GPU_BACKEND_WEBGPU,
    GPU_BACKEND_CPU,
    GPU_BACKEND_COUNT
} gpu_backend_kind;

const char *gpu_backend_name(gpu_backend_kind kind); /* "vulkan", "webgpu", "cpu" */
/* Parses "vulkan" | "webgpu" | "cpu"; returns false on anything else. */
bool gpu_backend_parse(const char *name, gpu_backend_kind *out);

typedef enum gpu_device_type {
    GPU_DEVICE_OTHER = 0,
    GPU_DEVICE_DISCRETE,
    GPU_DEVICE_INTEGRATED,
    GPU_DEVICE_VIRTUAL,
    GPU_DEVICE_CPU, /* a CPU exposed as a GPU (lavapipe, SwiftShader) or the reference backend */
} gpu_device_type;

const char *gpu_device_type_name(gpu_device_type type); /* "discrete", "integrated", ... */
/* "NVIDIA", "AMD", "Intel", "Mesa", ... from a PCI or Khronos vendor id; "unknown" otherwise. */
const char *gpu_vendor_name(uint32_t vendor_id);

/* Subgroup operation classes (VkSubgroupFeatureFlagBits, in the same bit order). */
enum {
    GPU_SUBGROUP_BASIC = 1u << 0,
    GPU_SUBGROUP_VOTE = 1u << 1,
    GPU_SUBGROUP_ARITHMETIC = 1u << 2,
    GPU_SUBGROUP_BALLOT = 1u << 3,
    GPU_SUBGROUP_SHUFFLE = 1u << 4,
    GPU_SUBGROUP_SHUFFLE_RELATIVE = 1u << 5,
    GPU_SUBGROUP_CLUSTERED = 1u << 6,
    GPU_SUBGROUP_QUAD = 1u << 7,
};

#define GPU_MAX_HEAPS 8

/* Known driver problems and performance traps: named flags, set by the backend's quirk table (vulkan: the
 * rules in vk_quirks.c, matched once after probing) or forced by name with VKVLM_QUIRKS, so no vendor check
 * appears anywhere else. What each flag does to the caps is applied in one place (gpu/quirks.c) after the
 * rules and the forcing, before the limit profile; docs/portability.md lists the rules and their sources. */
#define GPU_QUIRK_COUNT 4
typedef struct gpu_quirks {
    bool slow_shared_memory;   /* workgroup memory + barriers cost more than they save (CPU drivers): decode
                                  attention takes the barrier-free lanes kernel and prefill attention gives each
                                  invocation several query rows (ops_attention.c) */
    bool fp16_inaccurate;      /* fp16 arithmetic gives visibly larger errors: caps.fp16_arithmetic = false */
    bool subgroup_size_one;    /* the driver reports subgroups of one invocation: subgroup reductions would
                                  run serially over the workgroup, so caps.subgroup_ops = 0 (shared trees) */
    bool subgroup_size_varies; /* the driver may run a size other than subgroupSize (a min..max range):
                                  pipelines require the reported size, or subgroup_ops = 0 where they cannot */
    /* per flag, in the order above (gpu_quirks_each's order): the rule's symptom and source, or "forced by
     * VKVLM_QUIRKS"; static strings, NULL for flags that are not set */
    const char *symptom[GPU_QUIRK_COUNT];
    const char *source[GPU_QUIRK_COUNT];
} gpu_quirks;

/* Names of the quirk flags set in q, for listings: calls fn once per set flag. */
void gpu_quirks_each(const gpu_quirks *q, void (*fn)(void *user, const char *name), void *user);

/* One set quirk, as listings show it. */
typedef struct gpu_quirk_info {
    const char *name;    /* "fp16_inaccurate" */
    const char *symptom; /* what the driver does wrong (the matching rule's text) or "forced by VKVLM_QUIRKS" */
    const char *effect;  /* what vkvlm does about it */
    const char *source;  /* where the symptom is documented (URL or document); "" when forced */
} gpu_quirk_info;
/* Like gpu_quirks_each, with the symptom, effect and source of each set flag. */
void gpu_quirks_each_info(const gpu_quirks *q, void (*fn)(void *user, const gpu_quirk_info *info), void *user);

/* What a device can do, filled once when the context enumerates it (then the quirk table is applied).
 * Kernel variants are chosen from this struct only. */
typedef struct gpu_caps {
    gpu_backend_kind backend;
    char name[256];              /* "llvmpipe (LLVM 15.0.6, 256 bits)" */
    uint32_t vendor_id;          /* PCI vendor id, or Khronos vendor id (0x10005 Mesa) */
    uint32_t device_id;
    gpu_device_type type;
    char driver_name[256];       /* "llvmpipe" */
    char driver_info[256];       /* "Mesa 22.3.6 (LLVM 15.0.6)" */
    uint32_t driver_version;     /* raw driver version as the driver reports it */
    uint32_t api_version;        /* VK_MAKE_API_VERSION encoded */
    uint8_t device_uuid[16];     /* pipeline-cache key */

    uint32_t heap_count;
    uint64_t heap_size[GPU_MAX_HEAPS];     /* bytes */
    bool heap_device_local[GPU_MAX_HEAPS];
    uint64_t device_local_bytes; /* sum of device-local heaps */
    bool unified_memory;         /* a memory type is both device-local and host-visible */

    uint32_t subgroup_size;      /* default subgroup size (lavapipe 8, SwiftShader 4, NVIDIA 32) */
    uint32_t subgroup_min_size;  /* with subgroup size control; else = subgroup_size */
    uint32_t subgroup_max_size;
    uint32_t subgroup_ops;       /* GPU_SUBGROUP_* bits supported in compute shaders */
    bool subgroup_size_control;  /* compute pipelines can require a size in min..max (VK_EXT_subgroup_size_control
                                    or Vulkan 1.3, subgroupSizeControl, compute in requiredSubgroupSizeStages) */
    uint32_t max_compute_workgroup_subgroups; /* with size control: subgroups one workgroup may hold; 0 unknown */
    uint32_t subgroup_required_size; /* every pipeline requires this subgroup size (--limits subgroup_size=N,
                                        quirk subgroup_size_varies); 0: the driver's default */

    bool fp16_arithmetic;        /* shaderFloat16 */
    bool int8_arithmetic;        /* shaderInt8 */
    bool storage_16bit;          /* storageBuffer16BitAccess: f16/bf16 weights read directly */
    bool storage_8bit;           /* storageBuffer8BitAccess */
    bool integer_dot_product;    /* VK_KHR_shader_integer_dot_product */
    bool cooperative_matrix;     /* VK_KHR_cooperative_matrix (or NV) */

    uint32_t max_shared_bytes;   /* maxComputeSharedMemorySize */
    uint32_t max_workgroup_size[3];
    uint32_t max_workgroup_invocations;
    uint32_t max_workgroup_count[3];
    uint64_t max_storage_buffer_range; /* largest single binding, bytes */
    uint32_t max_storage_buffers;      /* storage-buffer bindings per shader stage
                                          (maxPerStageDescriptorStorageBuffers); kernels with more are refused */
    uint64_t max_allocation_bytes;     /* maxMemoryAllocationSize */
    uint32_t max_push_constant_bytes;
    uint64_t min_storage_offset_alignment; /* offsets of bound sub-ranges are multiples of this */

    bool timestamps;             /* per-dispatch timings available */
    double timestamp_period_ns;  /* nanoseconds per tick */

    gpu_quirks quirks;
} gpu_caps;

/* One enumerated device: which backend, its index within that backend, and what it can do. */
typedef struct gpu_device_info {
    gpu_backend_kind backend;
    int backend_index; /* index among this backend's devices: what --device N means */
    gpu_caps caps;
} gpu_device_info;

typedef struct gpu_context gpu_context;
typedef struct gpu_device gpu_device;
typedef struct gpu_buffer gpu_buffer;
typedef struct gpu_cmd gpu_cmd;

/* ---------------------------------------------------------------- context */

typedef struct gpu_context_desc {
    vkvlm_logger logger; /* where validation and driver messages go; zero: dropped (still counted) */
    int validation;      /* 0 (default): on when env VKVLM_VALIDATE=1; 1: on; -1: off */
    bool no_vulkan;      /* true: do not load Vulkan at all (only the CPU backend is listed) */
    const char *limits;  /* device-limit profile (gpu/limits.h): "mobile", "key=value,..."; NULL: $VKVLM_LIMITS */
    const char *quirks;  /* quirks to force on or off: "name,name,-name" (gpu/quirks.h); NULL: $VKVLM_QUIRKS */
} gpu_context_desc;
/* The defaults:
 *   logger      none
 *   validation  from VKVLM_VALIDATE
 *   no_vulkan   false
 *   limits      from VKVLM_LIMITS (none when unset); applied to every GPU device's caps (not the CPU reference)
 *   quirks      from VKVLM_QUIRKS (none when unset); applied to every GPU device before the limits; an unknown
 *               name is VKVLM_ERR_USAGE
 * A missing Vulkan loader or driver is not an error: the context then lists only the CPU backend and
 * gpu_context_vulkan_note() says why. */

vkvlm_status gpu_context_create(const gpu_context_desc *desc, gpu_context **out, vkvlm_error *err);
void gpu_context_destroy(gpu_context *ctx);

int gpu_context_device_count(const gpu_context *ctx);
const gpu_device_info *gpu_context_device(const gpu_context *ctx, int index); /* NULL when out of range */
/* The limit profile in force ("" when none). */
const char *gpu_context_limits(const gpu_context *ctx);
/* Why Vulkan lists no device ("no Vulkan loader (libvulkan.so.1) found", ...), or NULL when it does. */
const char *gpu_context_vulkan_note(const gpu_context *ctx);
bool gpu_context_validation_enabled(const gpu_context *ctx);
/* Number of validation-layer messages (any severity of warning or error) seen so far: tests demand 0. */
uint64_t gpu_context_validation_messages(const gpu_context *ctx);

/* Picks a device. backend DEFAULT: the best Vulkan device by type (discrete, integrated, virtual, other,
 * CPU), else the CPU backend. selector NULL or "": that default within the backend; "N": the backend's
 * N-th device; otherwise a case-insensitive substring of the device name. Returns the context-wide index. */
vkvlm_status gpu_context_select(const gpu_context *ctx, gpu_backend_kind backend, const char *selector,
                                int *out_index, vkvlm_error *err);

/* ---------------------------------------------------------------- device */

typedef struct gpu_device_desc {
    const char *cache_dir; /* pipeline cache directory; NULL: $XDG_CACHE_HOME/vkvlm or ~/.cache/vkvlm;
                              "" disables the on-disk cache */
    const char *label;     /* for messages */
    bool staged_transfers; /* host copies always go through a staging buffer, even where device memory is
                              host-visible: lets tests on lavapipe exercise the discrete-GPU path */
} gpu_device_desc;

vkvlm_status gpu_device_create(gpu_context *ctx, int index, const gpu_device_desc *desc, gpu_device **out,
                               vkvlm_error *err);
void gpu_device_destroy(gpu_device *dev);
const gpu_caps *gpu_device_caps(const gpu_device *dev);
gpu_context *gpu_device_context(const gpu_device *dev);
/* Bytes of device memory currently held by buffers (after alignment) and the peak since creation. */
uint64_t gpu_device_memory_in_use(const gpu_device *dev);
uint64_t gpu_device_memory_peak(const gpu_device *dev);

/* ---------------------------------------------------------------- buffers */

typedef enum gpu_buffer_kind {
    GPU_BUFFER_DEVICE = 0, /* storage buffer in device-local memory (default); written/read via staging */
    GPU_BUFFER_UPLOAD,     /* host-visible, host writes, device reads (staging) */
    GPU_BUFFER_DOWNLOAD,   /* host-visible and cached, device writes, host reads */
} gpu_buffer_kind;

typedef struct gpu_buffer_desc {
    uint64_t size;         /* bytes, > 0 */
    gpu_buffer_kind kind;  /* default GPU_BUFFER_DEVICE */
    const char *label;     /* debug name (Vulkan object name), shown in errors */
} gpu_buffer_desc;

vkvlm_status gpu_buffer_create(gpu_device *dev, const gpu_buffer_desc *desc, gpu_buffer **out, vkvlm_error *err);
void gpu_buffer_destroy(gpu_buffer *buf);
uint64_t gpu_buffer_size(const gpu_buffer *buf);
const char *gpu_buffer_label(const gpu_buffer *buf);
/* Synchronous host<->buffer copies (staged when the memory is not host-visible). offset + size must lie
 * inside the buffer; size 0 is a no-op. Do not call while a submitted gpu_cmd that uses the buffer runs. */
vkvlm_status gpu_buffer_write(gpu_buffer *buf, uint64_t offset, const void *data, uint64_t size, vkvlm_error *err);
vkvlm_status gpu_buffer_read(gpu_buffer *buf, uint64_t offset, void *data, uint64_t size, vkvlm_error *err);

/* ---------------------------------------------------------------- commands */

/* A bound range of a buffer. size 0 means "to the end of the buffer". */
typedef struct gpu_binding {
    gpu_buffer *buffer;
    uint64_t offset; /* bytes; a multiple of caps.min_storage_offset_alignment */
    uint64_t size;   /* bytes; <= caps.max_storage_buffer_range */
} gpu_binding;

#define GPU_MAX_SPEC_CONSTANTS 8

typedef struct gpu_dispatch_desc {
    gpu_kernel kernel;                         /* entry of the kernel table */
    gpu_binding bindings[GPU_MAX_BINDINGS];    /* as many as the kernel table says, in binding order */
    const void *params;                        /* the kernel's parameter struct (push constants) */
    uint32_t params_size;                      /* must equal the table's size */
    uint32_t spec[GPU_MAX_SPEC_CONSTANTS];     /* specialization constants, ids 0..n-1 (workgroup size first) */
    uint32_t groups[3];                        /* workgroup counts; 0 is treated as 1 */
    const char *label;                         /* profile name; NULL: the kernel's name */
} gpu_dispatch_desc;

/* One timed dispatch of a waited-on command. */
typedef struct gpu_profile_entry {
    const char *label; /* points at the kernel table or a string literal the caller gave */
    gpu_kernel kernel;
    double ms;         /* GPU time; 0 when the device has no timestamps */
    uint32_t spec[GPU_MAX_SPEC_CONSTANTS]; /* the dispatch's specialization constants (spec[0]: workgroup size)
                                              and grid, so tests can see what the op layer chose */
    uint32_t groups[3];
} gpu_profile_entry;

/* Whether a device with these caps can run the kernel at all: VKVLM_ERR_UNSUPPORTED naming the kernel when it
 * has more storage-buffer bindings than caps.max_storage_buffers. gpu_cmd_dispatch refuses such kernels. */
vkvlm_status gpu_kernel_check(const gpu_caps *caps, gpu_kernel kernel, vkvlm_error *err);

vkvlm_status gpu_cmd_begin(gpu_device *dev, gpu_cmd **out, vkvlm_error *err);
/* Records a dispatch (barrier first when it depends on earlier work). Errors (wrong binding count, range
 * out of bounds or over the binding limit, unknown kernel) are returned and also make submit fail. */
vkvlm_status gpu_cmd_dispatch(gpu_cmd *cmd, const gpu_dispatch_desc *desc, vkvlm_error *err);
/* Buffer-to-buffer copy on the device, ordered like a dispatch that reads src and writes dst. */
vkvlm_status gpu_cmd_copy(gpu_cmd *cmd, gpu_buffer *dst, uint64_t dst_offset, gpu_buffer *src,
                          uint64_t src_offset, uint64_t size, vkvlm_error *err);
/* Ends recording and submits once. */
vkvlm_status gpu_cmd_submit(gpu_cmd *cmd, vkvlm_error *err);
/* Waits for the fence, then gathers timestamps. */
vkvlm_status gpu_cmd_wait(gpu_cmd *cmd, vkvlm_error *err);
/* Per-dispatch timings after wait, in recording order. */
const gpu_profile_entry *gpu_cmd_profile(const gpu_cmd *cmd, int *count);
uint32_t gpu_cmd_barrier_count(const gpu_cmd *cmd); /* barriers the hazard tracker inserted */
gpu_device *gpu_cmd_device(const gpu_cmd *cmd);
void gpu_cmd_destroy(gpu_cmd *cmd); /* waits first if submitted and not yet waited */

/* Convenience: begin + submit + wait + destroy around one recorded closure is left to callers; most code
 * records a whole stage into one gpu_cmd. */

#endif
