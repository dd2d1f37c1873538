/* ops.c — see ops.h. Grid sizes: 1-D element kernels spread over a 2-D grid when one axis would exceed
 * the device's workgroup-count limit (65535 on many GPUs). */
#include "gpu/ops.h"

#include "core/status.h"

static uint32_t div_up(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

/* Workgroups for n elements at `local` per group: x up to the axis limit, the rest on y. */
static void grid_1d(const gpu_caps *caps, uint32_t n, uint32_t local, uint32_t groups[3]) {
    uint32_t total = div_up(n ? n : 1, local);
    uint32_t max_x = caps->max_workgroup_count[0] ? caps->max_workgroup_count[0] : 65535;
    groups[0] = total < max_x ? total : max_x;
    groups[1] = div_up(total, groups[0]);
    groups[2] = 1;
}

/* Element-wise kernels: 64 lanes, or the device's subgroup size if larger, within the invocation limit. */
static uint32_t elementwise_local(const gpu_caps *caps) {
    uint32_t local = caps->subgroup_size > 64 ? caps->subgroup_size : 64;
    return local > caps->max_workgroup_invocations ? caps->max_workgroup_invocations : local;
}

vkvlm_status gpu_op_add_f32(gpu_cmd *cmd, gpu_binding out, gpu_binding a, gpu_binding b, uint32_t n, vkvlm_error *err) {
    const gpu_caps *caps = gpu_device_caps(gpu_cmd_device(cmd));
    gpu_params_binary params = {.n = n};
    gpu_dispatch_desc d = {.kernel = GPU_KERNEL_ADD_F32,
                           .bindings = {a, b, out},
                           .params = &params,
                           .params_size = sizeof params};
    d.spec[0] = elementwise_local(caps);
    grid_1d(caps, n, d.spec[0], d.groups);
    return gpu_cmd_dispatch(cmd, &d, err);
}

vkvlm_status gpu_op_matmul_f32(gpu_cmd *cmd, gpu_binding y, gpu_binding x, gpu_binding w, gpu_binding bias, uint32_t m,
                               uint32_t n, uint32_t k, vkvlm_error *err) {
    gpu_params_matmul params = {.m = m, .n = n, .k = k, .has_bias = bias.buffer != NULL};
    /* Without a bias the binding still needs a valid buffer; w is read-only and always present. */
    gpu_binding bias_binding = bias.buffer ? bias : w;
    gpu_dispatch_desc d = {.kernel = GPU_KERNEL_MATMUL_F32,
                           .bindings = {x, w, bias_binding, y},
                           .params = &params,
                           .params_size = sizeof params};
    d.spec[0] = 8;
    d.spec[1] = 8;
    d.groups[0] = div_up(n, d.spec[0]);
    d.groups[1] = div_up(m, d.spec[1]);
    return gpu_cmd_dispatch(cmd, &d, err);
}
