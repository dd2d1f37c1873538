/* cpu_elementwise.c — CPU references of the elementwise kernel group (gpu/kernels_elementwise.h): obvious loops, double
 * accumulation for long sums. */
#include "gpu/cpu/cpu_kernels.h"

cpu_kernel_fn cpu_lookup_elementwise(gpu_kernel kernel) {
    switch (kernel) {
    default: return 0;
    }
}
