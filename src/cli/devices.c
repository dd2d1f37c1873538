/* devices.c — `vkvlm devices [--json]`: every device each backend sees, with the capabilities kernels are
 * chosen from. A machine without Vulkan still lists the CPU backend and exits 0, saying why on stderr. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "gpu/gpu.h"

static const char *const subgroup_op_names[] = {"basic",   "vote",    "arithmetic", "ballot",
                                                "shuffle", "shuffle_relative", "clustered", "quad"};

static void api_string(uint32_t v, char *out, size_t cap) {
    if (!v) snprintf(out, cap, "-");
    else snprintf(out, cap, "%u.%u.%u", (v >> 22) & 0x7Fu, (v >> 12) & 0x3FFu, v & 0xFFFu);
}

static void human_bytes(uint64_t bytes, char *out, size_t cap) {
    if (bytes >= (UINT64_C(1) << 30)) snprintf(out, cap, "%.1f GiB", bytes / (double)(UINT64_C(1) << 30));
    else if (bytes >= (UINT64_C(1) << 20)) snprintf(out, cap, "%.0f MiB", bytes / (double)(UINT64_C(1) << 20));
    else snprintf(out, cap, "%.0f KiB", bytes / 1024.0);
}

static void add_quirk_json(void *user, const char *name) { cJSON_AddItemToArray(user, cJSON_CreateString(name)); }

static void add_quirk_detail_json(void *user, const gpu_quirk_info *q) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", q->name);
    cJSON_AddStringToObject(o, "symptom", q->symptom);
    cJSON_AddStringToObject(o, "effect", q->effect);
    cJSON_AddStringToObject(o, "source", q->source);
    cJSON_AddItemToArray(user, o);
}

static void count_quirk(void *user, const char *name) { (*(int *)user)++; }

/* One quirk in two or three lines: name and symptom, what vkvlm does, where it is documented. */
static void print_quirk(void *user, const gpu_quirk_info *q) {
    printf("      %s: %s\n        -> %s%s%s\n", q->name, q->symptom, q->effect, q->source[0] ? "\n        source: " : "",
           q->source);
}

cJSON *cli_device_json(const gpu_device_info *info, const char *limits) {
    const gpu_caps *c = &info->caps;
    char text[64];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "backend", gpu_backend_name(info->backend));
    cJSON_AddNumberToObject(o, "index", info->backend_index);
    cJSON_AddStringToObject(o, "name", c->name);
    snprintf(text, sizeof text, "0x%04x", c->vendor_id);
    cJSON_AddStringToObject(o, "vendor_id", text);
    cJSON_AddStringToObject(o, "vendor", gpu_vendor_name(c->vendor_id));
    snprintf(text, sizeof text, "0x%04x", c->device_id);
    cJSON_AddStringToObject(o, "device_id", text);
    cJSON_AddStringToObject(o, "type", gpu_device_type_name(c->type));
    cJSON_AddStringToObject(o, "driver", c->driver_name);
    cJSON_AddStringToObject(o, "driver_info", c->driver_info);
    cJSON_AddNumberToObject(o, "driver_version", c->driver_version);
    api_string(c->api_version, text, sizeof text);
    cJSON_AddStringToObject(o, "api_version", text);
    cJSON *heaps = cJSON_AddArrayToObject(o, "memory_heaps");
    for (uint32_t h = 0; h < c->heap_count; h++) {
        cJSON *heap = cJSON_CreateObject();
        cJSON_AddNumberToObject(heap, "bytes", (double)c->heap_size[h]);
        cJSON_AddBoolToObject(heap, "device_local", c->heap_device_local[h]);
        cJSON_AddItemToArray(heaps, heap);
    }
    cJSON_AddNumberToObject(o, "device_local_bytes", (double)c->device_local_bytes);
    cJSON_AddBoolToObject(o, "unified_memory", c->unified_memory);
    cJSON_AddNumberToObject(o, "subgroup_size", c->subgroup_size);
    cJSON_AddNumberToObject(o, "subgroup_min_size", c->subgroup_min_size);
    cJSON_AddNumberToObject(o, "subgroup_max_size", c->subgroup_max_size);
    cJSON_AddBoolToObject(o, "subgroup_size_control", c->subgroup_size_control);
    cJSON_AddNumberToObject(o, "max_compute_workgroup_subgroups", c->max_compute_workgroup_subgroups);
    cJSON_AddNumberToObject(o, "subgroup_required_size", c->subgroup_required_size);
    cJSON *ops = cJSON_AddArrayToObject(o, "subgroup_operations");
    for (int b = 0; b < 8; b++)
        if (c->subgroup_ops & (1u << b)) cJSON_AddItemToArray(ops, cJSON_CreateString(subgroup_op_names[b]));
    cJSON_AddBoolToObject(o, "fp16_arithmetic", c->fp16_arithmetic);
    cJSON_AddBoolToObject(o, "int8_arithmetic", c->int8_arithmetic);
    cJSON_AddBoolToObject(o, "storage_16bit", c->storage_16bit);
    cJSON_AddBoolToObject(o, "storage_8bit", c->storage_8bit);
    cJSON_AddBoolToObject(o, "integer_dot_product", c->integer_dot_product);
    cJSON_AddBoolToObject(o, "cooperative_matrix", c->cooperative_matrix);
    cJSON_AddNumberToObject(o, "max_shared_memory_bytes", c->max_shared_bytes);
    cJSON *wg = cJSON_AddArrayToObject(o, "max_workgroup_size");
    for (int a = 0; a < 3; a++) cJSON_AddItemToArray(wg, cJSON_CreateNumber(c->max_workgroup_size[a]));
    cJSON_AddNumberToObject(o, "max_workgroup_invocations", c->max_workgroup_invocations);
    cJSON_AddNumberToObject(o, "max_storage_buffer_range", (double)c->max_storage_buffer_range);
    cJSON_AddNumberToObject(o, "max_storage_buffers_per_stage", c->max_storage_buffers);
    cJSON_AddNumberToObject(o, "max_memory_allocation_size", (double)c->max_allocation_bytes);
    cJSON_AddNumberToObject(o, "min_storage_buffer_offset_alignment", (double)c->min_storage_offset_alignment);
    cJSON_AddBoolToObject(o, "timestamps", c->timestamps);
    cJSON_AddNumberToObject(o, "timestamp_period_ns", c->timestamp_period_ns);
    cJSON *quirks = cJSON_AddArrayToObject(o, "quirks");
    gpu_quirks_each(&c->quirks, add_quirk_json, quirks);
    cJSON *details = cJSON_AddArrayToObject(o, "quirk_details");
    gpu_quirks_each_info(&c->quirks, add_quirk_detail_json, details);
    /* the caps above are the effective ones: the limit profile is already applied to GPU devices */
    cJSON_AddStringToObject(o, "limits_profile", info->backend == GPU_BACKEND_CPU ? "" : limits);
    return o;
}

static void print_device(const gpu_device_info *info) {
    const gpu_caps *c = &info->caps;
    char api[32], mem[32], local[32], range[32], alloc[32];
    api_string(c->api_version, api, sizeof api);
    uint64_t total = 0;
    for (uint32_t h = 0; h < c->heap_count; h++) total += c->heap_size[h];
    human_bytes(total, mem, sizeof mem);
    human_bytes(c->device_local_bytes, local, sizeof local);
    human_bytes(c->max_storage_buffer_range, range, sizeof range);
    human_bytes(c->max_allocation_bytes, alloc, sizeof alloc);
    printf("%s:%d  %s\n", gpu_backend_name(info->backend), info->backend_index, c->name);
    printf("    type %s, vendor %s (0x%04x), driver %s%s%s", gpu_device_type_name(c->type), gpu_vendor_name(c->vendor_id),
           c->vendor_id, c->driver_name[0] ? c->driver_name : "-", c->driver_info[0] ? " " : "", c->driver_info);
    if (info->backend == GPU_BACKEND_VULKAN) printf(", Vulkan %s", api);
    printf("\n");
    if (info->backend == GPU_BACKEND_VULKAN) printf("    memory %s (device-local %s)", mem, local);
    else printf("    memory: host");
    printf(", subgroup %u", c->subgroup_size);
    if (c->subgroup_required_size) printf(" (required by every pipeline; sizes %u..%u)", c->subgroup_min_size, c->subgroup_max_size);
    else if (c->subgroup_size_control) printf(" (sizes %u..%u can be required)", c->subgroup_min_size, c->subgroup_max_size);
    else if (c->subgroup_min_size != c->subgroup_max_size) printf(" (%u..%u)", c->subgroup_min_size, c->subgroup_max_size);
    int n = 0;
    for (int b = 0; b < 8; b++)
        if (c->subgroup_ops & (1u << b)) printf("%s%s", n++ ? " " : " [", subgroup_op_names[b]);
    printf("%s\n", n ? "]" : "");
    printf("    fp16 %s, int8 %s, 16-bit storage %s, 8-bit storage %s, integer dot %s, cooperative matrix %s\n",
           c->fp16_arithmetic ? "yes" : "no", c->int8_arithmetic ? "yes" : "no", c->storage_16bit ? "yes" : "no",
           c->storage_8bit ? "yes" : "no", c->integer_dot_product ? "yes" : "no", c->cooperative_matrix ? "yes" : "no");
    printf("    shared memory %u KiB, workgroup %u invocations (%u,%u,%u), storage buffer range %s, %u storage buffers "
           "per stage, max allocation %s, timestamps %s\n",
           c->max_shared_bytes / 1024, c->max_workgroup_invocations, c->max_workgroup_size[0], c->max_workgroup_size[1],
           c->max_workgroup_size[2], range, c->max_storage_buffers, alloc, c->timestamps ? "yes" : "no");
    int quirks = 0;
    gpu_quirks_each(&c->quirks, count_quirk, &quirks);
    printf("    quirks:%s\n", quirks ? "" : " none");
    gpu_quirks_each_info(&c->quirks, print_quirk, NULL);
}

int cli_devices(int argc, char **argv) {
    bool json = false;
    const char *limits = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = true;
        else if (strcmp(argv[i], "--limits") == 0) {
            if (i + 1 >= argc) return cli_usage_error("devices: --limits needs a value (mobile, webgpu, key=value,...)");
            limits = argv[++i];
        }
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: vkvlm devices [--json] [--limits PROFILE]\n"
                   "  lists every device each backend sees: index, name, vendor, type, driver, API version,\n"
                   "  memory, subgroup size and operations, fp16/int8/16-bit storage/integer dot/cooperative\n"
                   "  matrix support, limits, timestamps and the driver quirks applied.\n"
                   "  --json             the same as a JSON list on stdout\n"
                   "  --limits PROFILE   show the caps as the engine would use them under a limit profile:\n"
                   "                     mobile | webgpu | key=value,... (memory, storage_range, shared, invocations,\n"
                   "                     storage_buffers, subgroup_size, fp16, storage16, storage8, int_dot,\n"
                   "                     coop_matrix, subgroup_ops); also $VKVLM_LIMITS\n"
                   "  $VKVLM_QUIRKS=name,-name  force driver quirks on or off (see docs/portability.md)\n");
            return 0;
        } else return cli_usage_error("devices: unknown option '%s' (see vkvlm devices --help)", argv[i]);
    }
    gpu_context_desc desc = {.logger = cli_logger(), .limits = limits};
    gpu_context *ctx = NULL;
    vkvlm_error err = {0};
    if (gpu_context_create(&desc, &ctx, &err) != VKVLM_OK) return cli_fail(&err);
    const char *profile = gpu_context_limits(ctx);
    const char *note = gpu_context_vulkan_note(ctx);
    if (note) fprintf(stderr, "vkvlm: warning: %s; only the CPU backend is available\n", note);
    if (json) {
        cJSON *list = cJSON_CreateArray();
        for (int i = 0; i < gpu_context_device_count(ctx); i++)
            cJSON_AddItemToArray(list, cli_device_json(gpu_context_device(ctx, i), profile));
        char *text = cJSON_Print(list);
        if (text) printf("%s\n", text);
        free(text);
        cJSON_Delete(list);
    } else {
        if (profile[0]) printf("limits profile: %s (applied to the GPU devices below)\n", profile);
        for (int i = 0; i < gpu_context_device_count(ctx); i++) print_device(gpu_context_device(ctx, i));
    }
    gpu_context_destroy(ctx);
    return 0;
}
