/* cpu_kernels.h — the CPU reference kernels: one plain C function per kernel-table row, written as the
 * obvious loops so they can serve as the oracle for every GPU kernel test. */
#ifndef VKVLM_GPU_CPU_KERNELS_H
#define VKVLM_GPU_CPU_KERNELS_H

#include <stdint.h>

#include "gpu/kernels.h"

/* One kernel invocation over the whole grid: the CPU runs the op's full range and ignores workgroups. */
typedef struct cpu_kernel_call {
    void *bindings[GPU_MAX_BINDINGS];       /* host pointers at each binding's offset */
    uint64_t binding_bytes[GPU_MAX_BINDINGS];
    const void *params;                     /* the kernel's parameter struct */
    const uint32_t *spec;                   /* specialization constants (unused by the reference) */
} cpu_kernel_call;

typedef void (*cpu_kernel_fn)(const cpu_kernel_call *call);

/* The reference for a kernel id; NULL if the CPU backend lacks it. */
cpu_kernel_fn cpu_kernel_lookup(gpu_kernel kernel);

/* Each kernel group's file answers for its own rows (NULL for ids it does not own). */
cpu_kernel_fn cpu_lookup_matmul(gpu_kernel kernel);      /* cpu_matmul.c */
cpu_kernel_fn cpu_lookup_elementwise(gpu_kernel kernel); /* cpu_elementwise.c */
cpu_kernel_fn cpu_lookup_attention(gpu_kernel kernel);   /* cpu_attention.c */
cpu_kernel_fn cpu_lookup_vision(gpu_kernel kernel);      /* cpu_vision.c */
cpu_kernel_fn cpu_lookup_sampling(gpu_kernel kernel);    /* cpu_sampling.c */
cpu_kernel_fn cpu_lookup_reduction(gpu_kernel kernel);   /* cpu_reduction.c */

#endif
