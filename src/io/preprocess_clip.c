/* preprocess_clip.c — transformers' CLIPImageProcessor (LLaVA-1.5), plus LLaVA's "pad" aspect mode.
 *
 * Does, in the order CLIPImageProcessor.preprocess runs them: [expand2square], resize (shortest edge, or an exact
 * height x width), centre crop, rescale + normalise + channels first (preprocess.c). One frame out.
 * Does not: decode, convert colour modes (the image is RGB), or pick the processor (preprocess.c).
 */
#include <limits.h>
#include <string.h>

#include "core/status.h"
#include "io/preprocess_internal.h"

/* Python's a // 2 for any sign. */
static int clip_floor_half(int a) { return a >= 0 ? a / 2 : -((-a + 1) / 2); }

/* LLaVA's expand2square: the image pasted at ((S - w) // 2, (S - h) // 2) on an S x S canvas, S = max(w, h). */
static vkvlm_status clip_expand_to_square(const vkvlm_image *in, const uint8_t color[3], vkvlm_image **out,
                                          vkvlm_error *err) {
    int side = in->width > in->height ? in->width : in->height;
    vkvlm_status st = vkvlm_image_create(side, side, out, err);
    if (st != VKVLM_OK) return st;
    size_t pixels = (size_t)side * (size_t)side;
    for (size_t i = 0; i < pixels; i++) memcpy((*out)->rgb + i * 3, color, 3);
    int x0 = (side - in->width) / 2, y0 = (side - in->height) / 2;
    for (int y = 0; y < in->height; y++)
        memcpy((*out)->rgb + ((size_t)(y + y0) * (size_t)side + (size_t)x0) * 3,
               in->rgb + (size_t)y * (size_t)in->width * 3, (size_t)in->width * 3);
    return VKVLM_OK;
}

/* transformers' get_resize_output_image_size(default_to_square=False): the short side becomes S and the long
 * side int(S * long / short), the division in double as Python's true division does. */
static vkvlm_status clip_shortest_edge_size(int w, int h, int s, int *out_w, int *out_h, vkvlm_error *err) {
    int shortest = w <= h ? w : h, longest = w <= h ? h : w;
    double q = (double)((long long)s * (long long)longest) / (double)shortest;
    if (q >= (double)INT_MAX)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "preprocess: %d x %d resized to shortest edge %d is too long", w,
                               h, s);
    int new_long = (int)q;
    *out_w = w <= h ? s : new_long;
    *out_h = w <= h ? new_long : s;
    return VKVLM_OK;
}

vkvlm_status preprocess_clip_run(const vkvlm_preprocess_config *cfg, const vkvlm_image *image,
                                 vkvlm_preprocess_output **out, vkvlm_error *err) {
    const vkvlm_image *cur = image;
    vkvlm_image *owned = NULL, *next = NULL;
    vkvlm_status st = VKVLM_OK;

    /* 0. LLaVA "pad": square canvas in the mean colour */
    if (cfg->pad_to_square && cur->width != cur->height) {
        st = clip_expand_to_square(cur, cfg->pad_color, &next, err);
        if (st == VKVLM_OK) cur = owned = next;
    }

    /* 1. resize */
    if (st == VKVLM_OK && cfg->do_resize) {
        int w = cfg->size_width, h = cfg->size_height;
        if (cfg->shortest_edge) st = clip_shortest_edge_size(cur->width, cur->height, cfg->shortest_edge, &w, &h, err);
        if (st == VKVLM_OK) st = preprocess_resize(cur, w, h, cfg->resample, &next, err);
        if (st == VKVLM_OK) {
            vkvlm_image_destroy(owned);
            cur = owned = next;
        }
    }

    /* 2. centre crop: top = (H - crop_h) // 2, left = (W - crop_w) // 2, zeros where the crop overhangs */
    if (st == VKVLM_OK && cfg->do_center_crop) {
        int top = clip_floor_half(cur->height - cfg->crop_height);
        int left = clip_floor_half(cur->width - cfg->crop_width);
        st = preprocess_crop(cur, left, top, cfg->crop_width, cfg->crop_height, &next, err);
        if (st == VKVLM_OK) {
            vkvlm_image_destroy(owned);
            cur = owned = next;
        }
    }

    /* 3. rescale, normalise, HWC -> CHW */
    if (st == VKVLM_OK) st = preprocess_output_create(1, cur->height, cur->width, out, err);
    if (st == VKVLM_OK) preprocess_write_frame(cfg, cur, (*out)->pixels);
    vkvlm_image_destroy(owned);
    return st;
}
