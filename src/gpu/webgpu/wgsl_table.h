/* wgsl_table.h — the WGSL kernels embedded at build time (tools/embed_wgsl.c writes the table from
 * every shaders/wgsl/<name>.wgsl), and the webgpu backend's test hooks. Emscripten build only. */
#ifndef VKVLM_GPU_WEBGPU_WGSL_TABLE_H
#define VKVLM_GPU_WEBGPU_WGSL_TABLE_H

typedef struct wgsl_module {
    const char *name;   /* kernel-table name: the file stem */
    const char *source; /* WGSL text, NUL-terminated */
} wgsl_module;

extern const wgsl_module wgsl_modules[];
extern const int wgsl_module_count;

/* The WGSL twin of a kernel-table name, or NULL when it has none yet. */
const char *wgsl_kernel_source(const char *name);

/* Dispatches refused because the kernel has no WGSL twin (test drivers report those cases as skipped). */
int gpu_webgpu_missing_kernels(void);
/* Uncaptured WebGPU errors so far (outside any error scope): tests demand 0. */
int gpu_webgpu_error_count(void);

#endif
