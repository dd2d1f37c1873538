/* ops_sampling.c — see ops_sampling.h. */
#include "gpu/ops.h"

vkvlm_status gpu_op_argmax_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding x, uint32_t n, vkvlm_error *err) {
    const gpu_caps *caps = gpu_device_caps(gpu_cmd_device(cmd));
    gpu_params_argmax p = {n};
    /* the largest power of two up to 256 that the device runs in one workgroup and whose two shared arrays fit */
    uint32_t local = 256;
    while (local > 1 && (local > caps->max_workgroup_invocations || local * 8 > caps->max_shared_bytes)) local /= 2;
    gpu_dispatch_desc d = {.kernel = GPU_KERNEL_ARGMAX_F32,
                           .bindings = {x, out},
                           .params = &p,
                           .params_size = sizeof p,
                           .spec = {local},
                           .groups = {1, 1, 1}};
    return gpu_cmd_dispatch(cmd, &d, err);
}
