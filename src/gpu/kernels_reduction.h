/* kernels_reduction.h — kernel-table rows and parameter structs of the token-reduction group (FiCoCo's
 * filter / correlate / compress steps and whatever later methods need beyond the shared kernels).
 * Included by gpu/kernels.h only; see there for the row format. */
#ifndef VKVLM_GPU_KERNELS_REDUCTION_H
#define VKVLM_GPU_KERNELS_REDUCTION_H

#include <stdint.h>

#define GPU_KERNELS_REDUCTION(X)

#endif
