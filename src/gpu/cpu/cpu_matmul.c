/* cpu_matmul.c — CPU references of the matmul kernel group (gpu/kernels_matmul.h): obvious loops, double
 * accumulation for long sums. */
#include "gpu/cpu/cpu_kernels.h"

cpu_kernel_fn cpu_lookup_matmul(gpu_kernel kernel) {
    switch (kernel) {
    default: return 0;
    }
}
