/* preprocess_idefics3.c — transformers' Idefics3ImageProcessor (SmolVLM), for one image.
 *
 * Does, in the order Idefics3ImageProcessor.preprocess runs them (transformers 4.47.1):
 *  1. resize so the longest edge is size.longest_edge, aspect kept, the other side rounded up to even, then
 *     scaled below 4096 (or resize to size height x width);
 *  2. with do_image_splitting: resize_for_vision_encoder (both sides up to multiples of M =
 *     max_image_size.longest_edge), then split_image: rows x cols tiles of M x M in row-major order, and the
 *     whole image squashed to M x M as the last frame; without: squash to M x M, rows = cols = 0;
 *  3. rescale + normalise + channels first (preprocess.c).
 * Does not: convert_to_rgb's alpha compositing (RGB input makes it the identity), or do_pad (one image's frames
 * are all M x M, so padding changes nothing and pixel_attention_mask is all ones).
 * The size arithmetic copies Python's: float division, int() truncation, math.ceil.
 */
#include <math.h>
#include <stdlib.h>

#include "core/status.h"
#include "io/preprocess_internal.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* transformers caps the longest edge here ("4k resolution as absolute maximum"). */
#define IDEFICS3_MAX_IMAGE_SIZE 4096

/* _resize_output_size_rescale_to_max_len(min_len=1) then _resize_output_size_scale_below_upper_bound(4096). */
static void idefics3_longest_edge_size(int w, int h, int max_len, int *out_w, int *out_h) {
    double aspect = (double)w / (double)h;
    if (w >= h) {
        w = max_len;
        h = (int)((double)w / aspect);
        if (h % 2 != 0) h += 1;
    } else {
        h = max_len;
        w = (int)((double)h * aspect);
        if (w % 2 != 0) w += 1;
    }
    if (h < 1) h = 1;
    if (w < 1) w = 1;
    aspect = (double)w / (double)h;
    if (w >= h && w > IDEFICS3_MAX_IMAGE_SIZE) {
        w = IDEFICS3_MAX_IMAGE_SIZE;
        h = (int)((double)w / aspect);
    } else if (h > w && h > IDEFICS3_MAX_IMAGE_SIZE) {
        h = IDEFICS3_MAX_IMAGE_SIZE;
        w = (int)((double)h * aspect);
    }
    *out_w = w < 1 ? 1 : w;
    *out_h = h < 1 ? 1 : h;
}

/* math.ceil(a / m) * m with Python's float division. */
static int idefics3_ceil_multiple(int a, int m) { return (int)ceil((double)a / (double)m) * m; }

/* resize_for_vision_encoder: the longer side up to a multiple of m, the other from the aspect ratio, then up to
 * a multiple of m too. */
static void idefics3_vision_encoder_size(int w, int h, int m, int *out_w, int *out_h) {
    double aspect = (double)w / (double)h;
    if (w >= h) {
        w = idefics3_ceil_multiple(w, m);
        h = (int)((double)w / aspect);
        h = idefics3_ceil_multiple(h, m);
    } else {
        h = idefics3_ceil_multiple(h, m);
        w = (int)((double)h * aspect);
        w = idefics3_ceil_multiple(w, m);
    }
    *out_w = w;
    *out_h = h;
}

/* Replaces *cur (owned in *owned) by its resize to w x h. */
static vkvlm_status idefics3_resize_step(const vkvlm_image **cur, vkvlm_image **owned, int w, int h,
                                         vkvlm_resample_filter filter, vkvlm_error *err) {
    if (w < 1 || h < 1)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "preprocess: %d x %d image has an aspect ratio too extreme to "
                               "resize (a side would be %d x %d)", (*cur)->width, (*cur)->height, w, h);
    vkvlm_image *next = NULL;
    vkvlm_status st = preprocess_resize(*cur, w, h, filter, &next, err);
    if (st != VKVLM_OK) return st;
    vkvlm_image_destroy(*owned);
    *cur = *owned = next;
    return VKVLM_OK;
}

vkvlm_status preprocess_idefics3_run(const vkvlm_preprocess_config *cfg, const vkvlm_image *image,
                                     vkvlm_preprocess_output **out, vkvlm_error *err) {
    const vkvlm_image *cur = image;
    vkvlm_image *owned = NULL;
    vkvlm_status st = VKVLM_OK;
    int m = cfg->max_image_size;

    /* 1. longest edge (or exact size) */
    if (cfg->do_resize) {
        int w = cfg->size_width, h = cfg->size_height;
        if (cfg->longest_edge) idefics3_longest_edge_size(cur->width, cur->height, cfg->longest_edge, &w, &h);
        st = idefics3_resize_step(&cur, &owned, w, h, cfg->resample, err);
    }

    /* 2. tiles, or one squashed frame */
    int rows = 0, cols = 0;
    if (st == VKVLM_OK && cfg->do_image_splitting) {
        int w, h;
        idefics3_vision_encoder_size(cur->width, cur->height, m, &w, &h);
        st = idefics3_resize_step(&cur, &owned, w, h, cfg->resample, err);
        if (st == VKVLM_OK && (cur->height > m || cur->width > m)) {
            rows = (int)ceil((double)cur->height / (double)m);
            cols = (int)ceil((double)cur->width / (double)m);
        }
    } else if (st == VKVLM_OK) {
        st = idefics3_resize_step(&cur, &owned, m, m, cfg->resample, err);
    }

    int tiles = rows * cols + 1;
    if (st == VKVLM_OK) st = preprocess_output_create(tiles, m, m, out, err);
    if (st == VKVLM_OK) {
        (*out)->rows = rows;
        (*out)->cols = cols;
    }
    size_t frame_floats = (size_t)3 * (size_t)m * (size_t)m;
    if (st == VKVLM_OK && rows > 0) {
        /* split_image: tile (r, c) spans [c * tw, min((c + 1) * tw, W)) x [r * th, ...), tw = ceil(W / cols).
         * The sides are multiples of m here, so every tile is m x m. */
        int th = (int)ceil((double)cur->height / (double)rows);
        int tw = (int)ceil((double)cur->width / (double)cols);
        for (int r = 0; r < rows && st == VKVLM_OK; r++) {
            for (int c = 0; c < cols && st == VKVLM_OK; c++) {
                int x0 = c * tw, y0 = r * th;
                int x1 = x0 + tw < cur->width ? x0 + tw : cur->width;
                int y1 = y0 + th < cur->height ? y0 + th : cur->height;
                if (x1 - x0 != m || y1 - y0 != m) {
                    st = vkvlm_error_set(err, VKVLM_ERR_INTERNAL, "preprocess: tile (%d, %d) is %d x %d, not %d x %d", r,
                                         c, x1 - x0, y1 - y0, m, m);
                    break;
                }
                vkvlm_image *tile = NULL;
                st = preprocess_crop(cur, x0, y0, m, m, &tile, err);
                if (st == VKVLM_OK)
                    preprocess_write_frame(cfg, tile, (*out)->pixels + (size_t)(r * cols + c) * frame_floats);
                vkvlm_image_destroy(tile);
            }
        }
        /* the global image: split_image resizes with its own default, LANCZOS, whatever cfg->resample says */
        if (st == VKVLM_OK) st = idefics3_resize_step(&cur, &owned, m, m, VKVLM_RESAMPLE_LANCZOS, err);
    }
    if (st == VKVLM_OK)
        preprocess_write_frame(cfg, cur, (*out)->pixels + (size_t)(tiles - 1) * frame_floats);
    if (st != VKVLM_OK) {
        vkvlm_preprocess_output_destroy(*out);
        *out = NULL;
    }
    vkvlm_image_destroy(owned);
    return st;
}
