/* image.h — decoding image files to 8-bit RGB, the way Hugging Face's load_image() sees them.
 *
 * What it does: decodes PNG, JPEG, BMP and GIF (first frame) from a file or a memory buffer into an 8-bit RGB
 * raster, applies the EXIF orientation, and refuses empty, corrupt, truncated or enormous input with a message
 * naming the file. The reference is transformers' `load_image(path)`: PIL `Image.open`, then
 * `ImageOps.exif_transpose`, then `convert("RGB")`. PIL's conversions, checked against python3-pil 9.4.0:
 *  - grey (L, 1/2/4/8-bit) -> R = G = B = grey; palette -> the palette colour;
 *  - grey+alpha (LA), RGBA, and palette or colour-key transparency -> the colour channels as stored: alpha is
 *    DROPPED, not composited onto any background (this is what `convert("RGB")` does);
 *  - 16-bit greyscale PNG -> PIL opens it as 32-bit "I" and `convert("RGB")` CLIPS to 255 (not >> 8), so
 *    values 255..65535 all become 255; vkvlm does the same. 16-bit RGB, RGBA and grey+alpha PNGs keep the
 *    high byte, as PIL does.
 *  - EXIF orientation (JPEG APP1 "Exif", PNG eXIf): orientations 2..8 flip/rotate exactly like
 *    `ImageOps.exif_transpose`. Set keep_exif_orientation to get the stored pixels, like plain `Image.open`.
 *  - BMP 16-bit (555, 565): PIL scales a k-bit channel by v * 255 / (2^k - 1), truncated; vkvlm does too.
 *  - GIF (first frame): PIL shows a transparent pixel as the colour its palette index names, and the screen
 *    outside the first frame as the transparent colour (or palette entry 0); vkvlm does the same.
 *  - A file cut short is an error, as PIL's "image file is truncated" is (stb alone would zero-fill BMP and GIF).
 * With those rules PNG, BMP and GIF decode to exactly PIL's bytes (tests/unit/test_image.c). Known differences:
 *  - JPEG: stb_image's IDCT, chroma upsampling and YCbCr conversion are not libjpeg-turbo's. Against PIL 9.4
 *    (libjpeg-turbo 2.1) most pixels match, a few percent differ by 1 to 3 levels, and at sharp colour edges
 *    in 4:2:2 files single pixels can differ by far more (up to ~90 seen). Preprocessing is bit-exact for
 *    lossless formats; for JPEG it is close, not identical. CMYK/YCCK JPEGs use stb's CMYK->RGB.
 *  - Run-length encoded BMPs (RLE4/RLE8), which PIL reads, are refused as unsupported.
 *  - A GIF whose first frame extends past the logical screen is refused (PIL enlarges the canvas).
 *  - XMP or PNG text-chunk orientation, which PIL also reads, is ignored.
 * Hardening around Debian's stb_image 2.27 (each found by tests/fuzz/fuzz_image.c; see image.c): JPEG Huffman
 * tables with more than 256 codes are refused before stb overruns its table; PNG chunks that claim more bytes
 * than the file has, or image data too small to inflate to the claimed size, are refused before stb sizes
 * buffers from them; stb's memory comes zeroed (stb_image_impl.c). Memory: decoding an image at the pixel
 * limit can briefly take several bytes per pixel beyond the RGB result (stb's inflate and component buffers).
 * What it does not do: colour management (ICC profiles and gAMA are ignored, as PIL's convert ignores them),
 * animation, other formats (WebP, TIFF, HEIC are recognised and refused as unsupported).
 */
#ifndef VKVLM_IO_IMAGE_H
#define VKVLM_IO_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "vkvlm.h"

/* The default pixel limit: 64 Mi pixels (for example 8192 x 8192), a 192 MiB RGB raster. Checked from the
 * file header before anything is decoded, so a hostile header never causes a large allocation. */
#define VKVLM_IMAGE_MAX_PIXELS ((size_t)64 * 1024 * 1024)

typedef enum vkvlm_image_format {
    VKVLM_IMAGE_FORMAT_NONE = 0, /* made in memory (vkvlm_image_create), not decoded */
    VKVLM_IMAGE_FORMAT_PNG,
    VKVLM_IMAGE_FORMAT_JPEG,
    VKVLM_IMAGE_FORMAT_BMP,
    VKVLM_IMAGE_FORMAT_GIF,
} vkvlm_image_format;

typedef struct vkvlm_image {
    int width;                 /* pixels, >= 1 */
    int height;                /* pixels, >= 1 */
    uint8_t *rgb;              /* [height, width, 3] row-major 8-bit RGB, owned by the image */
    vkvlm_image_format format; /* what the file was; NONE for images made by vkvlm_image_create */
    int exif_orientation;      /* EXIF orientation found in the file, 1..8 (1 when absent or invalid) */
} vkvlm_image;

/* Decoding options. An all-zero desc (or NULL) means the defaults:
 *   max_pixels            = VKVLM_IMAGE_MAX_PIXELS
 *   keep_exif_orientation = 0 (the EXIF orientation is applied, as transformers' load_image does) */
typedef struct vkvlm_image_desc {
    size_t max_pixels;         /* refuse images with more pixels than this (VKVLM_ERR_LIMIT); 0: the default */
    int keep_exif_orientation; /* nonzero: return the pixels as stored, like PIL Image.open without exif_transpose */
} vkvlm_image_desc;

/* "png", "jpeg", "bmp", "gif", "none". Never NULL. */
const char *vkvlm_image_format_name(vkvlm_image_format format);

/* A width x height RGB image filled with zeros (black). Errors: VKVLM_ERR_USAGE (size < 1),
 * VKVLM_ERR_LIMIT (more than VKVLM_IMAGE_MAX_PIXELS), VKVLM_ERR_OUT_OF_MEMORY. */
vkvlm_status vkvlm_image_create(int width, int height, vkvlm_image **out, vkvlm_error *err);

/* Frees the image and its pixels. Accepts NULL. */
void vkvlm_image_destroy(vkvlm_image *image);

/* Decodes size bytes at data. name labels messages (a path or "<memory>"; NULL means "<memory>"). desc may be
 * NULL. On success *out is a new image the caller destroys; on failure *out is NULL and err says why:
 *   VKVLM_ERR_FORMAT       empty, zero-sized, truncated, corrupt, or not an image at all (stb's reason quoted)
 *   VKVLM_ERR_UNSUPPORTED  a real image format vkvlm does not read (WebP, TIFF, HEIC/AVIF, PSD)
 *   VKVLM_ERR_LIMIT        more pixels than desc->max_pixels (from the header, before decoding), or over 2 GiB
 *   VKVLM_ERR_OUT_OF_MEMORY */
vkvlm_status vkvlm_image_decode(const void *data, size_t size, const char *name, const vkvlm_image_desc *desc,
                                vkvlm_image **out, vkvlm_error *err);

/* Reads the file at path and decodes it as vkvlm_image_decode does, with path in every message.
 * Additional error: VKVLM_ERR_IO (missing, unreadable, a directory), with the system's reason. */
vkvlm_status vkvlm_image_load(const char *path, const vkvlm_image_desc *desc, vkvlm_image **out, vkvlm_error *err);

#endif
