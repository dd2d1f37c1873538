/* fuzz_image.c — libFuzzer target: arbitrary bytes through the image decoder, then both image processors.
 *
 * Every input must either decode to a sane image or fail with a status and a message (never crash, leak,
 * read out of bounds or abort). A decoded image then runs through a small CLIP processor (LLaVA-1.5 style,
 * shortest edge 56, crop 56) and a small Idefics3 processor with tile splitting (longest edge 64, tiles of
 * 32), whose outputs must be finite. The pixel limit is lowered to 4 Mi pixels so each input stays fast and far
 * below libFuzzer's memory limit; the limit logic itself is the same at any value.
 * Seeds: tests/fuzz/corpus/image/ (tiny PNG, JPEG, BMP and GIF files).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/image.h"
#include "io/preprocess.h"

static const char fuzz_clip_json[] =
    "{\"image_processor_type\": \"CLIPImageProcessor\", \"size\": {\"shortest_edge\": 56}, "
    "\"crop_size\": {\"height\": 56, \"width\": 56}, \"resample\": 3}";
static const char fuzz_idefics3_json[] =
    "{\"image_processor_type\": \"Idefics3ImageProcessor\", \"size\": {\"longest_edge\": 64}, "
    "\"max_image_size\": {\"longest_edge\": 32}, \"do_image_splitting\": true, \"resample\": 1}";

static void fuzz_preprocess(const char *json, const vkvlm_image *img) {
    vkvlm_preprocess_config cfg;
    vkvlm_error err = {0};
    if (vkvlm_preprocess_config_parse(&cfg, json, NULL, "fuzz", &err) != VKVLM_OK) abort();
    vkvlm_preprocess_output *out = NULL;
    vkvlm_status st = vkvlm_preprocess_image(&cfg, img, &out, &err);
    if (st != VKVLM_OK) {
        /* only size limits may refuse a decoded image */
        if (out || (st != VKVLM_ERR_LIMIT && st != VKVLM_ERR_FORMAT && st != VKVLM_ERR_OUT_OF_MEMORY) || !err.message[0])
            abort();
        return;
    }
    size_t n = (size_t)out->tiles * 3 * (size_t)out->height * (size_t)out->width;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(out->pixels[i])) abort();
    vkvlm_preprocess_output_destroy(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    vkvlm_image_desc desc = {.max_pixels = (size_t)4 << 20};
    vkvlm_image *img = NULL;
    vkvlm_error err = {0};
    vkvlm_status st = vkvlm_image_decode(data, size, "fuzz", &desc, &img, &err);
    if (st != VKVLM_OK) {
        if (img || err.status != st || !err.message[0]) abort();
        return 0;
    }
    if (!img || !img->rgb || img->width < 1 || img->height < 1 ||
        (size_t)img->width * (size_t)img->height > desc.max_pixels)
        abort();
    /* Strips thinner than 1:64 make the CLIP resize huge (a 262144 x 13 BMP of 200 bytes becomes 56 x 1129270, up
     * to 20 s under ASan); the size arithmetic is the same for any ratio, so the fuzzer skips them. */
    int lo = img->width < img->height ? img->width : img->height;
    int hi = img->width < img->height ? img->height : img->width;
    if (hi / lo <= 64) {
        fuzz_preprocess(fuzz_clip_json, img);
        fuzz_preprocess(fuzz_idefics3_json, img);
    }
    vkvlm_image_destroy(img);
    return 0;
}
