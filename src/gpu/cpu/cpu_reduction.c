/* cpu_reduction.c — CPU references of the token-reduction kernel group (gpu/kernels_reduction.h). */
#include "gpu/cpu/cpu_kernels.h"

cpu_kernel_fn cpu_lookup_reduction(gpu_kernel kernel) {
    switch (kernel) {
    default: return 0;
    }
}
