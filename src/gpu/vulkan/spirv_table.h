/* spirv_table.h — the SPIR-V modules embedded at build time (tools/embed_spirv.c writes the table). */
#ifndef VKVLM_GPU_VULKAN_SPIRV_TABLE_H
#define VKVLM_GPU_VULKAN_SPIRV_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct vk_spirv_module {
    const char *name;      /* shader file stem = kernel-table name */
    const uint32_t *words;
    size_t bytes;
} vk_spirv_module;

extern const vk_spirv_module vk_spirv_modules[];
extern const size_t vk_spirv_module_count;

#endif
