/* ops_vision.c — see ops_vision.h. */
#include "gpu/ops.h"

#include "core/status.h"

vkvlm_status gpu_op_patch_im2col_f32(gpu_cmd *cmd, gpu_binding patches, gpu_binding pixels, uint32_t channels,
                                     uint32_t height, uint32_t width, uint32_t patch, vkvlm_error *err) {
    if (patch == 0 || height < patch || width < patch)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "im2col: image %ux%u is smaller than the %u-pixel patch", width,
                               height, patch);
    const gpu_caps *caps = gpu_device_caps(gpu_cmd_device(cmd));
    gpu_params_im2col p = {channels, height, width, patch, height / patch, width / patch};
    uint64_t total = (uint64_t)p.grid_h * p.grid_w * channels * patch * patch;
    if (total > UINT32_MAX) return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "im2col: %llu elements", (unsigned long long)total);
    gpu_dispatch_desc d = {.kernel = GPU_KERNEL_PATCH_IM2COL_F32,
                           .bindings = {pixels, patches},
                           .params = &p,
                           .params_size = sizeof p};
    d.spec[0] = 64 > caps->max_workgroup_invocations ? caps->max_workgroup_invocations : 64;
    uint32_t groups = (uint32_t)((total + d.spec[0] - 1) / d.spec[0]);
    uint32_t max_x = caps->max_workgroup_count[0] ? caps->max_workgroup_count[0] : 65535;
    d.groups[0] = groups < max_x ? groups : max_x;
    d.groups[1] = (groups + d.groups[0] - 1) / d.groups[0];
    return gpu_cmd_dispatch(cmd, &d, err);
}
