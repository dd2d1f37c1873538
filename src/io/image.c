/* image.c — image files to 8-bit RGB (see image.h for the PIL behaviour this reproduces).
 *
 * Does, in order: format sniffing and a header peek (so zero-sized and enormous images are refused before stb
 * allocates anything); structural pre-checks that keep Debian's stb_image 2.27 away from its known overruns and
 * allocation bombs, and catch truncation stb would paper over; decoding through stb (stb_image_impl.c); the
 * corrections that make stb's pixels PIL's (16-bit grey clip, 16-bit BMP scaling, GIF palette colours); the
 * EXIF orientation; and reading files. Does not: resize or normalise (resample.c, preprocess.c), or keep any
 * state between calls.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/image.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>

#include "core/status.h"

/* Defined in stb_image_impl.c, which owns stb's internals. */
void vkvlm_stb_clear_failure(void);

const char *vkvlm_image_format_name(vkvlm_image_format format) {
    switch (format) {
    case VKVLM_IMAGE_FORMAT_PNG: return "png";
    case VKVLM_IMAGE_FORMAT_JPEG: return "jpeg";
    case VKVLM_IMAGE_FORMAT_BMP: return "bmp";
    case VKVLM_IMAGE_FORMAT_GIF: return "gif";
    case VKVLM_IMAGE_FORMAT_NONE: break;
    }
    return "none";
}

/* ---------------------------------------------------------------- lifetime */

static vkvlm_status image_alloc(int width, int height, size_t max_pixels, vkvlm_image **out, vkvlm_error *err) {
    *out = NULL;
    if (width < 1 || height < 1)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "image: size %d x %d is not positive", width, height);
    size_t pixels = (size_t)width * (size_t)height;
    if (pixels > max_pixels)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "image: %d x %d = %zu pixels exceeds the limit of %zu", width,
                               height, pixels, max_pixels);
    vkvlm_image *img = calloc(1, sizeof *img);
    uint8_t *rgb = calloc(pixels, 3);
    if (!img || !rgb) {
        free(img);
        free(rgb);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "image: out of memory for %d x %d RGB", width, height);
    }
    img->width = width;
    img->height = height;
    img->rgb = rgb;
    img->exif_orientation = 1;
    *out = img;
    return VKVLM_OK;
}

vkvlm_status vkvlm_image_create(int width, int height, vkvlm_image **out, vkvlm_error *err) {
    if (!out) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_image_create: out is NULL");
    return image_alloc(width, height, VKVLM_IMAGE_MAX_PIXELS, out, err);
}

void vkvlm_image_destroy(vkvlm_image *image) {
    if (!image) return;
    free(image->rgb);
    free(image);
}

/* ---------------------------------------------------------------- sniffing and header peek */

static uint32_t image_be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t image_le16(const uint8_t *p) { return (uint32_t)p[1] << 8 | p[0]; }
static uint32_t image_be32(const uint8_t *p) { return image_be16(p) << 16 | image_be16(p + 2); }
static uint32_t image_le32(const uint8_t *p) { return image_le16(p + 2) << 16 | image_le16(p); }

static vkvlm_image_format image_sniff(const uint8_t *d, size_t n) {
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) return VKVLM_IMAGE_FORMAT_PNG;
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return VKVLM_IMAGE_FORMAT_JPEG;
    if (n >= 2 && d[0] == 'B' && d[1] == 'M') return VKVLM_IMAGE_FORMAT_BMP;
    if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) return VKVLM_IMAGE_FORMAT_GIF;
    return VKVLM_IMAGE_FORMAT_NONE;
}

/* Names formats that are real images vkvlm does not decode, so the message says "unsupported", not "corrupt". */
static const char *image_sniff_unsupported(const uint8_t *d, size_t n) {
    if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) return "WebP";
    if (n >= 4 && (memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0)) return "TIFF";
    if (n >= 12 && memcmp(d + 4, "ftyp", 4) == 0) {
        if (memcmp(d + 8, "avif", 4) == 0 || memcmp(d + 8, "avis", 4) == 0) return "AVIF";
        if (memcmp(d + 8, "hei", 3) == 0 || memcmp(d + 8, "mif1", 4) == 0 || memcmp(d + 8, "heix", 4) == 0)
            return "HEIF/HEIC";
    }
    if (n >= 4 && memcmp(d, "8BPS", 4) == 0) return "PSD";
    if (n >= 12 && memcmp(d, "\0\0\0\x0cjP  ", 8) == 0) return "JPEG 2000";
    if (n >= 4 && memcmp(d, "\xff\x0a", 2) == 0) return "JPEG XL";
    if (n >= 4 && memcmp(d, "\0\0\x01\0", 4) == 0) return "ICO";
    return NULL;
}

/* Width and height from the header alone. Returns 1 when found, 0 when the header is too short or (JPEG) no
 * frame header precedes the data; the caller then relies on stb's own header parse. */
static int image_peek_size(vkvlm_image_format fmt, const uint8_t *d, size_t n, uint32_t *w, uint32_t *h) {
    switch (fmt) {
    case VKVLM_IMAGE_FORMAT_PNG:
        if (n < 24 || memcmp(d + 12, "IHDR", 4) != 0) return 0;
        *w = image_be32(d + 16);
        *h = image_be32(d + 20);
        return 1;
    case VKVLM_IMAGE_FORMAT_GIF:
        if (n < 10) return 0;
        *w = image_le16(d + 6);
        *h = image_le16(d + 8);
        return 1;
    case VKVLM_IMAGE_FORMAT_BMP: {
        if (n < 26) return 0;
        uint32_t dib = image_le32(d + 14);
        if (dib == 12) { /* OS/2 BITMAPCOREHEADER: 16-bit sizes */
            *w = image_le16(d + 18);
            *h = image_le16(d + 20);
        } else {
            int32_t sw = (int32_t)image_le32(d + 18), sh = (int32_t)image_le32(d + 22);
            /* negative height = top-down rows; INT32_MIN has no magnitude and counts as enormous */
            *w = sw < 0 ? (sw == INT32_MIN ? UINT32_MAX : (uint32_t)-sw) : (uint32_t)sw;
            *h = sh < 0 ? (sh == INT32_MIN ? UINT32_MAX : (uint32_t)-sh) : (uint32_t)sh;
        }
        return 1;
    }
    case VKVLM_IMAGE_FORMAT_JPEG: {
        size_t i = 2;
        while (i + 4 <= n) {
            if (d[i] != 0xFF) return 0;
            uint8_t m = d[i + 1];
            if (m == 0xFF) { /* fill byte */
                i++;
                continue;
            }
            if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { /* markers without a length */
                i += 2;
                continue;
            }
            if (m == 0xD9 || m == 0xDA) return 0; /* end of image, or scan data before any frame header */
            size_t len = image_be16(d + i + 2);
            int sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
            if (sof) {
                if (i + 9 > n) return 0;
                *h = image_be16(d + i + 5);
                *w = image_be16(d + i + 7);
                return 1;
            }
            if (len < 2) return 0;
            i += 2 + len;
        }
        return 0;
    }
    case VKVLM_IMAGE_FORMAT_NONE: break;
    }
    return 0;
}

/* ---------------------------------------------------------------- PNG pre-check for stb 2.27 */

/* stb sizes its buffers from what a PNG claims before reading the data: an IDAT chunk that claims 2 GiB grows
 * the chunk buffer to 2 GiB, and the inflate buffer is the full raw image size, allocated before a byte is
 * inflated (a 131-byte file made stb allocate 2 GiB; found by fuzz_image). This checks, before stb runs, that
 * every chunk up to IEND fits in the file, and that the compressed image data could hold the raw image at
 * deflate's best ratio (about 1032:1: a 258-byte match in 2 bits). A file that fails either is truncated.
 * Returns NULL when all is well, else what is wrong (written to why, why_len bytes). */
static const char *image_png_check(const uint8_t *d, size_t n, char *why, size_t why_len) {
    if (n < 33) return NULL; /* the header peek has judged shorter files */
    uint64_t w = image_be32(d + 16), h = image_be32(d + 20);
    unsigned depth = d[24], ctype = d[25];
    unsigned channels = ctype == 0 ? 1 : ctype == 2 ? 3 : ctype == 3 ? 1 : ctype == 4 ? 2 : ctype == 6 ? 4 : 0;
    uint64_t idat = 0;
    size_t i = 8;
    while (n - i >= 8) {
        uint64_t len = image_be32(d + i);
        if (len > n - i - 8) {
            snprintf(why, why_len, "truncated png: the %.4s chunk at byte %zu claims %llu bytes, %zu remain",
                     (const char *)(d + i + 4), i, (unsigned long long)len, n - i - 8);
            for (size_t k = 0; k < why_len && why[k]; k++) /* a corrupt chunk type is not text */
                if ((unsigned char)why[k] < 0x20 || (unsigned char)why[k] > 0x7E) why[k] = '?';
            return why;
        }
        if (memcmp(d + i + 4, "IDAT", 4) == 0) idat += len;
        if (memcmp(d + i + 4, "IEND", 4) == 0) break;
        i += 12 + (size_t)len;
        if (i > n) break; /* the last chunk's CRC is missing: stb does not need it */
    }
    uint64_t raw = h * (1 + (w * channels * depth + 7) / 8);
    if (channels && idat * 1032 + 1024 < raw) {
        snprintf(why, why_len, "truncated png: %llu bytes of image data cannot hold %llu x %llu pixels",
                 (unsigned long long)idat, (unsigned long long)w, (unsigned long long)h);
        return why;
    }
    return NULL;
}

/* ---------------------------------------------------------------- JPEG pre-check for stb 2.27 */

/* Debian's stb_image (v2.27) builds a Huffman table from a DHT segment without checking that its 16 code
 * counts sum to at most 256, and then writes up to 4080 bytes into a 257-byte array (found by fuzz_image;
 * newer stb refuses such tables). This walks the JPEG's markers the way stb finds them (skipping junk between
 * segments and entropy-coded data after each scan header) and reports such a table before stb sees it. It may
 * look at more DHT segments than stb reaches, never fewer, and a valid JPEG has no such table anywhere.
 * Returns the offending count, or 0 when all is well. */
static int image_jpeg_bad_huffman(const uint8_t *d, size_t n) {
    size_t i = 2;
    while (i + 4 <= n) {
        if (d[i] != 0xFF) { /* junk between segments: stb skips bytes until the next 0xFF, and so does this */
            i++;
            continue;
        }
        uint8_t m = d[i + 1];
        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0x00 || m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7)) {
            i += 2;
            continue;
        }
        if (m == 0xD9) return 0;
        size_t len = image_be16(d + i + 2);
        if (len < 2) return 0;
        if (m == 0xC4) {
            /* stb reads tables while the segment length lasts, each 1 + 16 + count bytes, past the segment's end
             * if a count says so; bytes past the buffer read as 0 */
            long left = (long)len - 2;
            size_t at = i + 4;
            while (left > 0) {
                uint8_t q = at < n ? d[at] : 0;
                if ((q >> 4) > 1 || (q & 15) > 3) break; /* stb: "bad DHT header" */
                int total = 0;
                for (size_t k = 0; k < 16; k++) total += at + 1 + k < n ? d[at + 1 + k] : 0;
                if (total > 256) return total;
                at += 17 + (size_t)total;
                left -= 17 + total;
            }
        }
        i += 2 + len;
        if (m == 0xDA) { /* entropy-coded data: up to the next marker that is not a stuffed 0 or a restart */
            while (i + 1 < n && !(d[i] == 0xFF && d[i + 1] != 0x00 && !(d[i + 1] >= 0xD0 && d[i + 1] <= 0xD7))) i++;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- EXIF orientation */

/* Orientation (tag 0x0112) from a TIFF structure (the EXIF payload after "Exif\0\0"); 1 when absent or bad. */
static int image_exif_orientation_tiff(const uint8_t *t, size_t n) {
    if (n < 8) return 1;
    int le;
    if (t[0] == 'I' && t[1] == 'I') le = 1;
    else if (t[0] == 'M' && t[1] == 'M') le = 0;
    else return 1;
    uint32_t (*u16)(const uint8_t *) = le ? image_le16 : image_be16;
    uint32_t (*u32)(const uint8_t *) = le ? image_le32 : image_be32;
    if (u16(t + 2) != 42) return 1;
    uint32_t ifd = u32(t + 4);
    if (ifd > n || n - ifd < 2) return 1;
    uint32_t count = u16(t + ifd);
    for (uint32_t e = 0; e < count; e++) {
        size_t at = (size_t)ifd + 2 + (size_t)e * 12;
        if (at + 12 > n) return 1;
        if (u16(t + at) != 0x0112) continue;
        uint32_t type = u16(t + at + 2);
        uint32_t v;
        if (type == 3) v = u16(t + at + 8);       /* SHORT, the standard type */
        else if (type == 4) v = u32(t + at + 8);  /* LONG, seen in the wild; PIL reads it too */
        else return 1;
        return v >= 1 && v <= 8 ? (int)v : 1;
    }
    return 1;
}

/* PIL keeps the first APP1 segment that starts with "Exif\0\0". */
static int image_exif_orientation_jpeg(const uint8_t *d, size_t n) {
    size_t i = 2;
    while (i + 4 <= n) {
        if (d[i] != 0xFF) return 1;
        uint8_t m = d[i + 1];
        if (m == 0xFF) {
            i++;
            continue;
        }
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
            i += 2;
            continue;
        }
        if (m == 0xD9 || m == 0xDA) return 1;
        size_t len = image_be16(d + i + 2);
        if (len < 2 || i + 2 + len > n) return 1;
        if (m == 0xE1 && len >= 8 && memcmp(d + i + 4, "Exif\0\0", 6) == 0)
            return image_exif_orientation_tiff(d + i + 10, len - 8);
        i += 2 + len;
    }
    return 1;
}

/* PNG's eXIf chunk holds the TIFF structure directly. PIL reads it before or after the image data. */
static int image_exif_orientation_png(const uint8_t *d, size_t n) {
    size_t i = 8;
    while (i + 12 <= n) {
        uint32_t len = image_be32(d + i);
        if (len > n - i - 12) return 1;
        if (memcmp(d + i + 4, "eXIf", 4) == 0) {
            const uint8_t *t = d + i + 8;
            /* Some writers keep the JPEG-style "Exif\0\0" prefix; PIL strips it too. */
            if (len >= 6 && memcmp(t, "Exif\0\0", 6) == 0) return image_exif_orientation_tiff(t + 6, len - 6);
            return image_exif_orientation_tiff(t, len);
        }
        if (memcmp(d + i + 4, "IEND", 4) == 0) return 1;
        i += 12 + (size_t)len;
    }
    return 1;
}

/* ImageOps.exif_transpose: 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse,
 * 8 rotate 90 counter-clockwise. Output pixel (x, y) copies input pixel (sx, sy). */
static vkvlm_status image_apply_orientation(vkvlm_image **imgp, vkvlm_error *err) {
    vkvlm_image *in = *imgp;
    int o = in->exif_orientation;
    if (o <= 1 || o > 8) return VKVLM_OK;
    int W = in->width, H = in->height;
    int swap = o >= 5;
    vkvlm_image *out;
    /* The pixel count is unchanged, so the limit was already checked. */
    vkvlm_status st = image_alloc(swap ? H : W, swap ? W : H, (size_t)W * (size_t)H, &out, err);
    if (st != VKVLM_OK) return st;
    out->format = in->format;
    out->exif_orientation = o;
    for (int y = 0; y < out->height; y++) {
        for (int x = 0; x < out->width; x++) {
            int sx, sy;
            switch (o) {
            case 2: sx = W - 1 - x; sy = y; break;
            case 3: sx = W - 1 - x; sy = H - 1 - y; break;
            case 4: sx = x; sy = H - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = H - 1 - x; break;
            case 7: sx = W - 1 - y; sy = H - 1 - x; break;
            default: sx = W - 1 - y; sy = x; break; /* 8 */
            }
            memcpy(out->rgb + ((size_t)y * (size_t)out->width + (size_t)x) * 3,
                   in->rgb + ((size_t)sy * (size_t)W + (size_t)sx) * 3, 3);
        }
    }
    vkvlm_image_destroy(in);
    *imgp = out;
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- GIF transparent colour */

/* PIL opens a GIF as a palette image and convert("RGB") maps every index through the palette, so (checked
 * against python3-pil 9.4.0 with hand-made GIFs):
 *  - a transparent pixel shows the colour of the palette entry its index names;
 *  - a screen pixel outside the first frame's rectangle shows the transparent index's colour when the frame
 *    has one, else palette entry 0 (not the GIF's background colour).
 * stb instead composites the frame over transparent black (or over the background colour, with red and blue
 * swapped). gif_first_frame reads what PIL needs from the GIF itself; image_gif_repair applies it. */
typedef struct image_gif_frame {
    uint32_t x, y, w, h;         /* the first frame's rectangle on the logical screen, in pixels */
    int has_transparent;         /* the frame's graphic control extension names a transparent index */
    uint8_t transparent_rgb[3];  /* that index's palette colour (black past the palette's end, as PIL pads) */
    uint8_t outside_rgb[3];      /* what PIL shows outside the rectangle */
    int complete;                /* the frame's data sub-blocks end with their 0 terminator inside the file */
} image_gif_frame;

static void image_gif_palette_entry(const uint8_t *palette, size_t entries, size_t index, uint8_t rgb[3]) {
    if (palette && index < entries) memcpy(rgb, palette + index * 3, 3);
    else rgb[0] = rgb[1] = rgb[2] = 0;
}

/* Returns 1 when the first image descriptor was found (with a palette), 0 otherwise. */
static int image_gif_first_frame(const uint8_t *d, size_t n, image_gif_frame *f) {
    memset(f, 0, sizeof *f);
    if (n < 13) return 0;
    uint8_t flags = d[10];
    size_t i = 13;
    const uint8_t *palette = NULL;
    size_t entries = 0;
    if (flags & 0x80) {
        entries = (size_t)2 << (flags & 7);
        if (n - i < entries * 3) return 0;
        palette = d + i;
        i += entries * 3;
    }
    int transparent = -1;
    while (i < n) {
        uint8_t b = d[i];
        if (b == 0x21) { /* extension: label, then sub-blocks */
            if (n - i < 2) return 0;
            uint8_t label = d[i + 1];
            i += 2;
            /* graphic control extension: size 4, packed flags, delay (2 bytes), transparent index */
            if (label == 0xF9 && n - i >= 5 && d[i] >= 4) transparent = (d[i + 1] & 1) ? d[i + 4] : -1;
            while (i < n && d[i] != 0) i += 1 + (size_t)d[i];
            i++;
        } else if (b == 0x2C) { /* image descriptor: the first frame */
            if (n - i < 10) return 0;
            f->x = image_le16(d + i + 1);
            f->y = image_le16(d + i + 3);
            f->w = image_le16(d + i + 5);
            f->h = image_le16(d + i + 7);
            uint8_t lflags = d[i + 9];
            size_t at = i + 10;
            if (lflags & 0x80) { /* a local palette replaces the global one for this frame */
                entries = (size_t)2 << (lflags & 7);
                if (n - at < entries * 3) return 0;
                palette = d + at;
                at += entries * 3;
            }
            if (!palette) return 0;
            /* LZW code size, then sub-blocks up to a 0-length one. stb decodes a cut stream without complaint
             * (the missing pixels stay background); PIL raises "image file is truncated". */
            at++;
            while (at < n && d[at] != 0) at += 1 + (size_t)d[at];
            f->complete = at < n;
            f->has_transparent = transparent >= 0;
            if (f->has_transparent) {
                image_gif_palette_entry(palette, entries, (size_t)transparent, f->transparent_rgb);
                memcpy(f->outside_rgb, f->transparent_rgb, 3);
            } else {
                image_gif_palette_entry(palette, entries, 0, f->outside_rgb);
            }
            return 1;
        } else {
            return 0; /* trailer or garbage before any frame */
        }
    }
    return 0;
}

/* rgb [h, w, 3] from stb's RGBA rgba [h, w, 4], recoloured as PIL would show it. */
/* known: f was parsed (image_gif_first_frame returned 1); otherwise stb's pixels are kept as they are. */
static void image_gif_repair(uint8_t *rgb, const uint8_t *rgba, int w, int h, int known, const image_gif_frame *fp) {
    image_gif_frame f;
    memset(&f, 0, sizeof f);
    if (known) f = *fp;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * (size_t)w + (size_t)x;
            const uint8_t *s = rgba + i * 4;
            const uint8_t *c = s;
            if (known) {
                int inside = (uint32_t)x >= f.x && (uint32_t)x - f.x < f.w && (uint32_t)y >= f.y &&
                             (uint32_t)y - f.y < f.h;
                if (!inside) c = f.outside_rgb;
                else if (f.has_transparent && s[3] == 0) c = f.transparent_rgb;
            }
            memcpy(rgb + i * 3, c, 3);
        }
    }
}

/* ---------------------------------------------------------------- BMP details PIL sees differently */

typedef struct image_bmp_info {
    uint64_t data_end;    /* file offset where uncompressed pixel rows end (0: unknown, e.g. compressed) */
    uint32_t bpp;         /* bits per pixel */
    uint32_t compression; /* 0 BI_RGB, 1 RLE8, 2 RLE4, 3 BITFIELDS, ... */
    uint32_t masks[3];    /* red, green, blue bit masks of 16-bit pixels (555 for BI_RGB) */
} image_bmp_info;

/* Returns 0 for headers too short to say (stb then reports the problem). */
static int image_bmp_read_info(const uint8_t *d, size_t n, image_bmp_info *b) {
    memset(b, 0, sizeof *b);
    if (n < 34) return 0;
    uint32_t dib = image_le32(d + 14);
    if (dib == 12) { /* OS/2 core header: no compression field */
        b->bpp = image_le16(d + 24);
        return 1;
    }
    b->bpp = image_le16(d + 28);
    b->compression = image_le32(d + 30);
    b->masks[0] = 0x7C00;
    b->masks[1] = 0x03E0;
    b->masks[2] = 0x001F;
    if (b->compression == 3 && n >= 66) { /* after a 40-byte header, or inside a v4/v5 header: same offset */
        b->masks[0] = image_le32(d + 54);
        b->masks[1] = image_le32(d + 58);
        b->masks[2] = image_le32(d + 62);
    }
    return 1;
}

/* Where the rows of an uncompressed BMP end: the pixel array starts at the header's data offset and holds |h|
 * rows of 4-byte-aligned stride. stb does not notice a file cut short (it reads zeros past the end); PIL raises
 * "image file is truncated", so vkvlm refuses it too. */
static void image_bmp_data_end(const uint8_t *d, image_bmp_info *b, uint32_t w, uint32_t h) {
    b->data_end = 0;
    if (b->compression != 0 && b->compression != 3 && b->compression != 6) return;
    if (b->bpp != 1 && b->bpp != 4 && b->bpp != 8 && b->bpp != 16 && b->bpp != 24 && b->bpp != 32) return;
    uint64_t stride = ((uint64_t)w * b->bpp + 31) / 32 * 4;
    b->data_end = (uint64_t)image_le32(d + 10) + stride * h;
}

/* PIL expands a k-bit channel of a 16-bit BMP (BGR;15, BGR;16) to v * 255 / (2^k - 1), truncated; stb
 * replicates bits ((v * 33) >> 2 for 5 bits, (v * 65) >> 4 for 6 bits), which is up to 1 level higher. Both
 * maps are strictly increasing, so stb's byte identifies v and the table rewrites it to PIL's value. */
static void image_bmp16_lut(uint8_t lut[256], int bits) {
    memset(lut, 0, 256);
    int top = (1 << bits) - 1;
    for (int v = 0; v <= top; v++) {
        int stb = bits == 5 ? (v * 33) >> 2 : (v * 65) >> 4;
        lut[stb] = (uint8_t)(v * 255 / top);
    }
}

static void image_bmp16_to_pil(uint8_t *rgb, size_t pixels, const image_bmp_info *b) {
    int layout565 = b->masks[0] == 0xF800 && b->masks[1] == 0x07E0 && b->masks[2] == 0x001F;
    int layout555 = b->masks[0] == 0x7C00 && b->masks[1] == 0x03E0 && b->masks[2] == 0x001F;
    if (!layout565 && !layout555) return; /* PIL refuses other 16-bit layouts; keep stb's reading */
    uint8_t lut5[256], lut6[256];
    image_bmp16_lut(lut5, 5);
    image_bmp16_lut(lut6, 6);
    for (size_t i = 0; i < pixels; i++) {
        uint8_t *p = rgb + i * 3;
        p[0] = lut5[p[0]];
        p[1] = layout565 ? lut6[p[1]] : lut5[p[1]];
        p[2] = lut5[p[2]];
    }
}

/* ---------------------------------------------------------------- decoding */

static vkvlm_status image_stb_failure(const char *name, vkvlm_image_format fmt, const char *what, vkvlm_error *err) {
    const char *reason = stbi_failure_reason();
    /* stb leaves no reason on some paths, and an empty one for a zeroed chunk type read past the end */
    if (!reason || !*reason) reason = "no reason given";
    if (strcmp(reason, "outofmem") == 0)
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory decoding %s", name,
                               vkvlm_image_format_name(fmt));
    return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s %s (stb_image: %s)", name, what,
                           vkvlm_image_format_name(fmt), reason);
}

/* Fills img (already sized from stb's header) from the file's data. comp is stb's channel count from the
 * header; bmp and gif are the pre-parsed headers of those formats, or NULL. */
static vkvlm_status image_decode_pixels(vkvlm_image *img, const uint8_t *d, size_t size, int comp,
                                        const image_bmp_info *bmp, const image_gif_frame *gif, const char *name,
                                        vkvlm_error *err) {
    vkvlm_image_format fmt = img->format;
    int w = img->width, h = img->height;
    int dw = 0, dh = 0, dc = 0;
    size_t pixels = (size_t)w * (size_t)h;
    vkvlm_stb_clear_failure();
    if (fmt == VKVLM_IMAGE_FORMAT_PNG && comp == 1 && stbi_is_16_bit_from_memory(d, (int)size)) {
        /* PIL: 16-bit grey is mode "I", and I -> RGB clips at 255 */
        stbi_us *g = stbi_load_16_from_memory(d, (int)size, &dw, &dh, &dc, 1);
        if (!g) return image_stb_failure(name, fmt, "corrupt or truncated", err);
        if (dw == w && dh == h) {
            for (size_t i = 0; i < pixels; i++) {
                uint8_t v = g[i] > 255 ? 255 : (uint8_t)g[i];
                img->rgb[i * 3 + 0] = img->rgb[i * 3 + 1] = img->rgb[i * 3 + 2] = v;
            }
        }
        stbi_image_free(g);
    } else if (fmt == VKVLM_IMAGE_FORMAT_GIF) {
        /* RGBA, so transparent pixels can take the palette colour PIL gives them */
        stbi_uc *p = stbi_load_from_memory(d, (int)size, &dw, &dh, &dc, 4);
        if (!p) return image_stb_failure(name, fmt, "corrupt or truncated", err);
        if (dw == w && dh == h) image_gif_repair(img->rgb, p, w, h, gif != NULL, gif);
        stbi_image_free(p);
    } else {
        stbi_uc *p = stbi_load_from_memory(d, (int)size, &dw, &dh, &dc, 3);
        if (!p) return image_stb_failure(name, fmt, "corrupt or truncated", err);
        if (dw == w && dh == h) memcpy(img->rgb, p, pixels * 3);
        stbi_image_free(p);
        if (bmp && bmp->bpp == 16) image_bmp16_to_pil(img->rgb, pixels, bmp);
    }
    if (dw != w || dh != h)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s header says %d x %d but the data decodes to %d x %d", name,
                               vkvlm_image_format_name(fmt), w, h, dw, dh);
    return VKVLM_OK;
}

vkvlm_status vkvlm_image_decode(const void *data, size_t size, const char *name, const vkvlm_image_desc *desc,
                                vkvlm_image **out, vkvlm_error *err) {
    if (!name) name = "<memory>";
    if (!out) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "%s: vkvlm_image_decode: out is NULL", name);
    *out = NULL;
    if (!data && size) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "%s: vkvlm_image_decode: data is NULL", name);
    size_t max_pixels = desc && desc->max_pixels ? desc->max_pixels : VKVLM_IMAGE_MAX_PIXELS;
    int keep_orientation = desc ? desc->keep_exif_orientation : 0;
    const uint8_t *d = data;

    if (size == 0) return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: empty file (0 bytes), not an image", name);
    vkvlm_image_format fmt = image_sniff(d, size);
    if (fmt == VKVLM_IMAGE_FORMAT_NONE) {
        const char *other = image_sniff_unsupported(d, size);
        if (other)
            return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "%s: %s images are not supported (PNG, JPEG, BMP, GIF are)",
                                   name, other);
        uint8_t head[4] = {0, 0, 0, 0};
        memcpy(head, d, size < 4 ? size : 4);
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                               "%s: not a PNG, JPEG, BMP or GIF image (first bytes %02x %02x %02x %02x, %zu bytes)",
                               name, head[0], head[1], head[2], head[3], size);
    }
    const char *fname = vkvlm_image_format_name(fmt);
    if (size > INT_MAX) /* stb_image takes an int length */
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "%s: %zu bytes exceeds the 2 GiB limit of the %s decoder", name,
                               size, fname);

    /* Refuse from the header, before stb allocates anything. */
    uint32_t pw = 0, ph = 0;
    int peeked = image_peek_size(fmt, d, size, &pw, &ph);
    if (!peeked && fmt != VKVLM_IMAGE_FORMAT_JPEG) /* PNG, GIF and BMP keep the size at a fixed offset */
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: truncated %s header (%zu bytes)", name, fname, size);
    if (peeked) {
        if (pw == 0 || ph == 0)
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: zero-sized %s image (%u x %u)", name, fname, pw, ph);
        if ((uint64_t)pw * ph > (uint64_t)max_pixels)
            return vkvlm_error_set(err, VKVLM_ERR_LIMIT,
                                   "%s: %s image of %u x %u = %llu pixels exceeds the limit of %zu pixels", name, fname,
                                   pw, ph, (unsigned long long)pw * ph, max_pixels);
    }
    char why[160];
    const char *png_problem = fmt == VKVLM_IMAGE_FORMAT_PNG ? image_png_check(d, size, why, sizeof why) : NULL;
    if (png_problem) return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: %s", name, png_problem);
    int huffman = fmt == VKVLM_IMAGE_FORMAT_JPEG ? image_jpeg_bad_huffman(d, size) : 0;
    if (huffman)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: corrupt jpeg: a Huffman table has %d codes (at most 256)",
                               name, huffman);
    image_bmp_info bmp;
    int have_bmp = fmt == VKVLM_IMAGE_FORMAT_BMP && image_bmp_read_info(d, size, &bmp);
    if (have_bmp && (bmp.compression == 1 || bmp.compression == 2))
        return vkvlm_error_set(err, VKVLM_ERR_UNSUPPORTED, "%s: run-length encoded (RLE%d) BMP images are not supported",
                               name, bmp.compression == 1 ? 8 : 4);
    if (have_bmp) {
        image_bmp_data_end(d, &bmp, pw, ph);
        if (bmp.data_end > size)
            return vkvlm_error_set(err, VKVLM_ERR_FORMAT,
                                   "%s: truncated bmp: its pixel rows end at byte %llu, the file has %zu bytes", name,
                                   (unsigned long long)bmp.data_end, size);
    }
    image_gif_frame gif;
    int have_gif = fmt == VKVLM_IMAGE_FORMAT_GIF && image_gif_first_frame(d, size, &gif);
    if (have_gif && !gif.complete)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: truncated gif: the first frame's data ends early", name);
    int w = 0, h = 0, comp = 0;
    vkvlm_stb_clear_failure();
    if (!stbi_info_from_memory(d, (int)size, &w, &h, &comp))
        return image_stb_failure(name, fmt, "unreadable header in", err);
    if (fmt == VKVLM_IMAGE_FORMAT_BMP && h < 0 && h != INT_MIN) h = -h; /* stb's info reports top-down BMPs negative */
    if (w <= 0 || h <= 0)
        return vkvlm_error_set(err, VKVLM_ERR_FORMAT, "%s: zero-sized %s image (%d x %d)", name, fname, w, h);
    if ((uint64_t)w * (uint64_t)h > (uint64_t)max_pixels)
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "%s: %s image of %d x %d = %llu pixels exceeds the limit of %zu pixels",
                               name, fname, w, h, (unsigned long long)w * (unsigned long long)h, max_pixels);

    vkvlm_image *img = NULL;
    vkvlm_status st = image_alloc(w, h, max_pixels, &img, err);
    if (st != VKVLM_OK) {
        vkvlm_error_context(err, "%s", name);
        return st;
    }
    img->format = fmt;
    st = image_decode_pixels(img, d, size, comp, have_bmp ? &bmp : NULL, have_gif ? &gif : NULL, name, err);
    if (st != VKVLM_OK) {
        vkvlm_image_destroy(img);
        return st;
    }

    if (fmt == VKVLM_IMAGE_FORMAT_JPEG) img->exif_orientation = image_exif_orientation_jpeg(d, size);
    if (fmt == VKVLM_IMAGE_FORMAT_PNG) img->exif_orientation = image_exif_orientation_png(d, size);
    if (!keep_orientation) {
        st = image_apply_orientation(&img, err);
        if (st != VKVLM_OK) {
            vkvlm_image_destroy(img);
            vkvlm_error_context(err, "%s", name);
            return st;
        }
    }
    *out = img;
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- files */

vkvlm_status vkvlm_image_load(const char *path, const vkvlm_image_desc *desc, vkvlm_image **out, vkvlm_error *err) {
    if (!out) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_image_load: out is NULL");
    *out = NULL;
    if (!path) return vkvlm_error_set(err, VKVLM_ERR_USAGE, "vkvlm_image_load: path is NULL");
    FILE *f = fopen(path, "rb");
    if (!f) return vkvlm_error_set(err, VKVLM_ERR_IO, "%s: cannot open image: %s", path, strerror(errno));
    /* Read in growing chunks: works for pipes too, and stops at stb's 2 GiB input limit. */
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory reading the file", path);
    }
    for (;;) {
        if (len == cap) {
            if (cap > (size_t)INT_MAX) {
                free(buf);
                fclose(f);
                return vkvlm_error_set(err, VKVLM_ERR_LIMIT, "%s: file exceeds the 2 GiB limit for images", path);
            }
            uint8_t *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                fclose(f);
                return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "%s: out of memory reading the file", path);
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int failed = ferror(f);
    int saved_errno = errno;
    fclose(f);
    if (failed) {
        free(buf);
        return vkvlm_error_set(err, VKVLM_ERR_IO, "%s: cannot read image: %s", path, strerror(saved_errno));
    }
    vkvlm_status st = vkvlm_image_decode(buf, len, path, desc, out, err);
    free(buf);
    return st;
}
