/* ops_vision.h — op wrappers of the vision kernel group (see gpu/ops.h for the conventions). */
#ifndef VKVLM_GPU_OPS_VISION_H
#define VKVLM_GPU_OPS_VISION_H

#include "gpu/gpu.h"

/* patches (grid_h*grid_w, C*P*P) = im2col of pixels (C, H, W) for a stride-P, kernel-P convolution, with
 * grid_h = H / P and grid_w = W / P. Followed by gpu_op_linear with the conv weight viewed as [D, C*P*P],
 * this is the patch embedding. */
vkvlm_status gpu_op_patch_im2col_f32(gpu_cmd *cmd, gpu_binding patches, gpu_binding pixels, uint32_t channels,
                                     uint32_t height, uint32_t width, uint32_t patch, vkvlm_error *err);

#endif
