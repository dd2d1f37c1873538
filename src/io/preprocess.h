/* preprocess.h — Hugging Face image processors, reproduced bit for bit: RGB image -> float32 pixel_values.
 *
 * What it does: reads a checkpoint's preprocessor_config.json (and processor_config.json when present) and turns
 * a decoded RGB image (io/image.h) into the pixel_values tensor the vision tower takes, with the same float32
 * bits transformers 4.47.1 produces (the golden cases are the judge; see ../shared/golden/README.md):
 *  - CLIPImageProcessor (LLaVA-1.5, preprocess_clip.c): resize the shortest edge to size.shortest_edge (the
 *    other side int(S * long / short)) or to size height x width; centre crop crop_size (zero padding where the
 *    crop is larger, as HF's center_crop pads); one frame [1, 3, H, W].
 *    Optional LLaVA "pad" mode (original LLaVA / ProxyV checkpoints, image_aspect_ratio = "pad"): first paste
 *    the image centred on a square canvas of colour int(255 * image_mean), LLaVA's expand2square.
 *  - Idefics3ImageProcessor (SmolVLM, preprocess_idefics3.c): resize the longest edge to size.longest_edge
 *    (other side int(L / aspect), rounded up to even, everything capped at 4096); then either squash to
 *    max_image_size x max_image_size (do_image_splitting false), or resize both sides up to multiples of it and
 *    cut rows x cols tiles of that size plus one global image squashed to it. Frames [tiles, 3, M, M], tiles
 *    in row-major order, the global image last; rows = cols = 0 when there is no split.
 *  - Both: Pillow resampling (io/resample.h) on uint8, then float32(uint8 * rescale_factor) computed in
 *    double, then (x - float32(mean)) / float32(std) in float32, channels first.
 * The float arithmetic is plain IEEE single/double with no fused operations (see resample.h); on targets where
 * C evaluates float in higher precision (x87, FLT_EVAL_METHOD 2), each step is assigned to a float, which C11
 * rounds to float.
 *
 * What it does not do: decode files (io/image.h), batch several images (HF's do_pad then only pads across a
 * batch), Idefics3's RGBA alpha compositing onto white (vkvlm images are already RGB, as transformers'
 * load_image makes them), the "Fast" torchvision processors, or build prompt tokens (the chat template uses
 * rows, cols and image_seq_len from here).
 */
#ifndef VKVLM_IO_PREPROCESS_H
#define VKVLM_IO_PREPROCESS_H

#include <stdint.h>

#include "io/image.h"
#include "io/resample.h"
#include "vkvlm.h"

typedef enum vkvlm_preprocess_kind {
    VKVLM_PREPROCESS_NONE = 0, /* not parsed */
    VKVLM_PREPROCESS_CLIP,     /* CLIPImageProcessor (also the legacy CLIPFeatureExtractor name) */
    VKVLM_PREPROCESS_IDEFICS3, /* Idefics3ImageProcessor, and SmolVLMImageProcessor, which is the same here */
} vkvlm_preprocess_kind;

/* A parsed preprocessor_config.json. Fields hold transformers' class defaults where the file omits them
 * (as save_pretrained writes every field, real files rarely omit any). Sizes are in pixels. */
typedef struct vkvlm_preprocess_config {
    vkvlm_preprocess_kind kind;
    char processor_type[64];         /* image_processor_type as written in the file */
    vkvlm_resample_filter resample;  /* PIL filter id; CLIP default bicubic (3), Idefics3 lanczos (1) */
    int do_convert_rgb;              /* informational: images are RGB already */
    int do_resize;
    int do_rescale;
    int do_normalize;
    double rescale_factor;           /* as parsed (double); default 1/255 */
    double image_mean[3];            /* per channel R, G, B, as parsed; converted to float32 when applied */
    double image_std[3];             /* per channel, nonzero */

    /* CLIP */
    int shortest_edge;               /* size.shortest_edge; 0 when size gives height and width instead */
    int size_height, size_width;     /* size.height, size.width: exact resize target when shortest_edge is 0 */
    int do_center_crop;
    int crop_height, crop_width;     /* crop_size */
    int pad_to_square;               /* LLaVA "pad": expand2square before resizing (set by the model loader) */
    uint8_t pad_color[3];            /* the canvas colour, int(255 * image_mean[c]) */

    /* Idefics3 */
    int longest_edge;                /* size.longest_edge */
    int max_image_size;              /* max_image_size.longest_edge: side of each tile and the global image */
    int do_image_splitting;
    int do_pad;                      /* informational: a single image never needs padding */

    /* processor_config.json (0 when absent) */
    int image_seq_len;               /* image tokens per frame: Idefics3 image_seq_len; for LLaVA
                                        (crop/patch)^2 + num_additional_image_tokens - (strategy "default") */
    int patch_size;                  /* LlavaProcessor patch_size */
    int num_additional_image_tokens; /* LlavaProcessor: 1 for the CLS token */
} vkvlm_preprocess_config;

/* The pixel values of one image: the caller owns it and frees it with vkvlm_preprocess_output_destroy. */
typedef struct vkvlm_preprocess_output {
    float *pixels; /* [tiles, channels, height, width] row-major float32 */
    int tiles;     /* frames: rows * cols tiles, then the global image; 1 when not split */
    int rows;      /* tile grid rows; 0 when not split (the prompt then has only the global image) */
    int cols;      /* tile grid columns; 0 when not split */
    int channels;  /* 3 (R, G, B) */
    int height;    /* pixels per frame, vertically */
    int width;     /* pixels per frame, horizontally */
} vkvlm_preprocess_output;

/* Parses preprocessor_json (required) and processor_json (NULL when the checkpoint has none). name labels
 * messages (e.g. the checkpoint directory). Errors: VKVLM_ERR_FORMAT (bad JSON, wrong types, values out of
 * range, with the field named), VKVLM_ERR_UNSUPPORTED (an image_processor_type vkvlm does not implement). */
vkvlm_status vkvlm_preprocess_config_parse(vkvlm_preprocess_config *cfg, const char *preprocessor_json,
                                           const char *processor_json, const char *name, vkvlm_error *err);

/* Reads dir/preprocessor_config.json and, if it exists, dir/processor_config.json, then parses them.
 * Additional error: VKVLM_ERR_IO when preprocessor_config.json cannot be read. */
vkvlm_status vkvlm_preprocess_config_load(vkvlm_preprocess_config *cfg, const char *dir, vkvlm_error *err);

/* Switches a CLIP config to LLaVA's "pad" aspect mode: pad_to_square = 1, pad_color = int(255 * mean). */
void vkvlm_preprocess_config_set_pad_to_square(vkvlm_preprocess_config *cfg);

/* Runs the processor on image. On success *out is new; on failure *out is NULL. Errors: VKVLM_ERR_USAGE
 * (unparsed config, NULL arguments), VKVLM_ERR_LIMIT (an intermediate image beyond VKVLM_IMAGE_MAX_PIXELS,
 * e.g. a 1 x 100000 image resized to shortest edge 336), VKVLM_ERR_FORMAT (an aspect ratio so extreme a side
 * would round to 0), VKVLM_ERR_OUT_OF_MEMORY. */
vkvlm_status vkvlm_preprocess_image(const vkvlm_preprocess_config *cfg, const vkvlm_image *image,
                                    vkvlm_preprocess_output **out, vkvlm_error *err);

/* Frees the output and its pixels. Accepts NULL. */
void vkvlm_preprocess_output_destroy(vkvlm_preprocess_output *output);

#endif
