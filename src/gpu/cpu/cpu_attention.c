/* cpu_attention.c — CPU references of the attention kernel group (gpu/kernels_attention.h): obvious loops, double
 * accumulation for long sums. */
#include "gpu/cpu/cpu_kernels.h"

cpu_kernel_fn cpu_lookup_attention(gpu_kernel kernel) {
    switch (kernel) {
    default: return 0;
    }
}
