/* preprocess_internal.h — the steps the image processors share, and each processor's pipeline.
 *
 * Only src/io/preprocess*.c include this. preprocess.c owns the config parser, the output object and the shared
 * steps below; preprocess_clip.c and preprocess_idefics3.c each hold one processor's pipeline, in the order the
 * Hugging Face class runs it. Intermediate images are vkvlm_image objects, so vkvlm_image_create's pixel limit
 * bounds every intermediate allocation.
 */
#ifndef VKVLM_IO_PREPROCESS_INTERNAL_H
#define VKVLM_IO_PREPROCESS_INTERNAL_H

#include "io/preprocess.h"

/* *out = in resized to width x height with Pillow's filter (a copy when the size is unchanged). */
vkvlm_status preprocess_resize(const vkvlm_image *in, int width, int height, vkvlm_resample_filter filter,
                               vkvlm_image **out, vkvlm_error *err);

/* *out = the width x height window of in whose top-left corner is (left, top); pixels of the window outside in
 * are black (0), as HF's center_crop pads before cropping. left and top may be negative. */
vkvlm_status preprocess_crop(const vkvlm_image *in, int left, int top, int width, int height, vkvlm_image **out,
                             vkvlm_error *err);

/* A zeroed output of tiles frames of 3 x height x width floats. */
vkvlm_status preprocess_output_create(int tiles, int height, int width, vkvlm_preprocess_output **out,
                                      vkvlm_error *err);

/* Rescales, normalises and transposes one uint8 HWC frame into dst [3, frame->height, frame->width]. */
void preprocess_write_frame(const vkvlm_preprocess_config *cfg, const vkvlm_image *frame, float *dst);

/* The pipelines: cfg->kind selects one in vkvlm_preprocess_image. */
vkvlm_status preprocess_clip_run(const vkvlm_preprocess_config *cfg, const vkvlm_image *image,
                                 vkvlm_preprocess_output **out, vkvlm_error *err);
vkvlm_status preprocess_idefics3_run(const vkvlm_preprocess_config *cfg, const vkvlm_image *image,
                                     vkvlm_preprocess_output **out, vkvlm_error *err);

#endif
