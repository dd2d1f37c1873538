/* op_check_vision.c — op-check cases of the vision kernel group. im2col only moves floats, so the device
 * must match the reference exactly (bounds 0). Shapes: the golden CLIP case (56/14), SigLIP-like (64/8),
 * a size that leaves remainder rows and columns (the convolution drops them), and a single patch. */
#include "gpu/op_check_internal.h"

static vkvlm_status record_im2col(gpu_cmd *cmd, int s, const check_tensor *t, const uint32_t *shape,
                                  vkvlm_error *err) {
    return gpu_op_patch_im2col_f32(cmd, check_bind(&t[1], s), check_bind(&t[0], s), shape[0], shape[1], shape[2],
                                   shape[3], err);
}

static bool check_im2col(check_env *e, const uint32_t *shape) {
    uint32_t c = shape[0], h = shape[1], w = shape[2], p = shape[3];
    check_tensor t[2];
    bool ok = check_tensor_make(e, &t[0], c * h * w, true, -2, 2) &&
              check_tensor_make(e, &t[1], (h / p) * (w / p) * c * p * p, false, 0, 0) &&
              check_run_both(e, record_im2col, t, shape) && check_tensor_compare(e, &t[1], 0.0, 0.0);
    for (int i = 0; i < 2; i++) check_tensor_free(&t[i]);
    return ok;
}

static const op_case vision_cases[] = {
    {"patch_im2col_f32", "c,h,w,patch", check_im2col, {3, 56, 56, 14}},
    {"patch_im2col_f32", "c,h,w,patch", check_im2col, {3, 64, 64, 8}},
    {"patch_im2col_f32", "c,h,w,patch", check_im2col, {3, 31, 45, 7}},
    {"patch_im2col_f32", "c,h,w,patch", check_im2col, {1, 5, 5, 5}},
};

const op_case *op_check_cases_vision(int *count) {
    *count = (int)(sizeof vision_cases / sizeof vision_cases[0]);
    return vision_cases;
}
