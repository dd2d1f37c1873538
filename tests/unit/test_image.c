/* test_image.c — image decoding (src/io/image.c): PIL's conversions, EXIF orientation, and every refusal.
 *
 * The PNG, BMP and GIF inputs are built here, byte by byte (stored-deflate PNGs, uncompressed-LZW GIFs), so each
 * test states the file it decodes; the expected pixels follow PIL 9.4's rules as image.h lists them (each rule
 * was checked against python3-pil during development). The JPEGs are tiny files in tests/data/images/ with PIL's
 * decoding beside them (tests/data/gen_images.py); stb is not libjpeg-turbo, so those compare within a tolerance.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/status.h"
#include "io/image.h"
#include "test.h"

/* ---------------------------------------------------------------- a growable byte buffer */

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void buf_put(buf *b, const void *data, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort(); /* tests only */
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}
static void buf_u8(buf *b, unsigned v) {
    uint8_t x = (uint8_t)v;
    buf_put(b, &x, 1);
}
static void buf_be32(buf *b, uint32_t v) {
    buf_u8(b, v >> 24);
    buf_u8(b, v >> 16);
    buf_u8(b, v >> 8);
    buf_u8(b, v);
}
static void buf_le16(buf *b, unsigned v) {
    buf_u8(b, v);
    buf_u8(b, v >> 8);
}
static void buf_le32(buf *b, uint32_t v) {
    buf_le16(b, v & 0xFFFF);
    buf_le16(b, v >> 16);
}

/* ---------------------------------------------------------------- PNG writer (stored deflate) */

static uint32_t crc32_of(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

static void png_chunk(buf *b, const char *type, const uint8_t *data, size_t n) {
    buf_be32(b, (uint32_t)n);
    size_t at = b->n;
    buf_put(b, type, 4);
    if (n) buf_put(b, data, n);
    buf_be32(b, crc32_of(b->p + at, n + 4));
}

/* rows: height rows of row_bytes raw samples each (no filter byte; filter 0 is added). extra: chunks between
 * IHDR and IDAT (PLTE, tRNS, eXIf), already framed. */
static buf png_make(uint32_t w, uint32_t h, int depth, int ctype, const uint8_t *rows, size_t row_bytes,
                    const buf *extra) {
    buf b = {0};
    buf_put(&b, "\x89PNG\r\n\x1a\n", 8);
    uint8_t ihdr[13] = {(uint8_t)(w >> 24), (uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w,
                        (uint8_t)(h >> 24), (uint8_t)(h >> 16), (uint8_t)(h >> 8), (uint8_t)h,
                        (uint8_t)depth,     (uint8_t)ctype,     0,                  0,
                        0};
    png_chunk(&b, "IHDR", ihdr, 13);
    if (extra && extra->n) buf_put(&b, extra->p, extra->n);
    /* zlib: header, one stored block per row set, Adler-32 */
    buf raw = {0}, z = {0};
    for (uint32_t y = 0; y < h && rows; y++) {
        buf_u8(&raw, 0);
        buf_put(&raw, rows + (size_t)y * row_bytes, row_bytes);
    }
    buf_u8(&z, 0x78);
    buf_u8(&z, 0x01);
    size_t off = 0;
    do {
        size_t n = raw.n - off > 65535 ? 65535 : raw.n - off;
        buf_u8(&z, off + n == raw.n ? 1 : 0);
        buf_le16(&z, (unsigned)n);
        buf_le16(&z, (unsigned)(~n & 0xFFFF));
        if (n) buf_put(&z, raw.p + off, n);
        off += n;
    } while (off < raw.n);
    uint32_t a = 1, s = 0;
    for (size_t i = 0; i < raw.n; i++) {
        a = (a + raw.p[i]) % 65521;
        s = (s + a) % 65521;
    }
    buf_be32(&z, s << 16 | a);
    png_chunk(&b, "IDAT", z.p, z.n);
    png_chunk(&b, "IEND", NULL, 0);
    free(raw.p);
    free(z.p);
    return b;
}

static vkvlm_status decode(const buf *b, vkvlm_image **img, vkvlm_error *err) {
    vkvlm_error_clear(err);
    return vkvlm_image_decode(b->p, b->n, "test.img", NULL, img, err);
}

static int rgb_at(const vkvlm_image *img, int x, int y, int r, int g, int b) {
    const uint8_t *p = img->rgb + ((size_t)y * (size_t)img->width + (size_t)x) * 3;
    if (p[0] == r && p[1] == g && p[2] == b) return 1;
    fprintf(stderr, "  pixel (%d, %d) = (%d, %d, %d), expected (%d, %d, %d)\n", x, y, p[0], p[1], p[2], r, g, b);
    return 0;
}

/* ---------------------------------------------------------------- PNG modes */

static void test_png_rgb_and_grey(void) {
    uint8_t rgb[2 * 3 * 3] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 250, 251, 252};
    buf b = png_make(3, 2, 8, 2, rgb, 9, NULL);
    vkvlm_image *img = NULL;
    vkvlm_error err = {0};
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) {
        TEST_CHECK_INT(img->width, 3);
        TEST_CHECK_INT(img->height, 2);
        TEST_CHECK_INT(img->format, VKVLM_IMAGE_FORMAT_PNG);
        TEST_CHECK(memcmp(img->rgb, rgb, sizeof rgb) == 0);
    }
    vkvlm_image_destroy(img);
    free(b.p);

    uint8_t grey[4] = {0, 77, 200, 255};
    b = png_make(4, 1, 8, 0, grey, 4, NULL);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) /* L -> RGB replicates */
        TEST_CHECK(rgb_at(img, 0, 0, 0, 0, 0) && rgb_at(img, 1, 0, 77, 77, 77) && rgb_at(img, 3, 0, 255, 255, 255));
    vkvlm_image_destroy(img);
    free(b.p);

    /* 4-bit grey scales by 17, 1-bit by 255 */
    uint8_t g4[2] = {0x0F, 0x8A}; /* 0, 15, 8, 10 */
    b = png_make(4, 1, 4, 0, g4, 2, NULL);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img)
        TEST_CHECK(rgb_at(img, 0, 0, 0, 0, 0) && rgb_at(img, 1, 0, 255, 255, 255) && rgb_at(img, 2, 0, 136, 136, 136) &&
                   rgb_at(img, 3, 0, 170, 170, 170));
    vkvlm_image_destroy(img);
    free(b.p);
    uint8_t g1[1] = {0xA0}; /* 1 0 1 0 */
    b = png_make(4, 1, 1, 0, g1, 1, NULL);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) TEST_CHECK(rgb_at(img, 0, 0, 255, 255, 255) && rgb_at(img, 1, 0, 0, 0, 0));
    vkvlm_image_destroy(img);
    free(b.p);
}

/* PIL's convert("RGB") drops alpha: a fully transparent pixel keeps its stored colour, nothing is composited. */
static void test_png_alpha_is_dropped(void) {
    uint8_t rgba[2 * 4] = {10, 20, 30, 0, 200, 100, 50, 128};
    buf b = png_make(2, 1, 8, 6, rgba, 8, NULL);
    vkvlm_image *img = NULL;
    vkvlm_error err = {0};
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) TEST_CHECK(rgb_at(img, 0, 0, 10, 20, 30) && rgb_at(img, 1, 0, 200, 100, 50));
    vkvlm_image_destroy(img);
    free(b.p);

    uint8_t la[2 * 2] = {90, 0, 180, 255};
    b = png_make(2, 1, 8, 4, la, 4, NULL);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) TEST_CHECK(rgb_at(img, 0, 0, 90, 90, 90) && rgb_at(img, 1, 0, 180, 180, 180));
    vkvlm_image_destroy(img);
    free(b.p);
}

static void test_png_palette_with_transparency(void) {
    buf extra = {0};
    uint8_t plte[9] = {255, 0, 0, 0, 255, 0, 1, 2, 3};
    uint8_t trns[3] = {255, 0, 7}; /* entry 1 fully transparent */
    png_chunk(&extra, "PLTE", plte, 9);
    png_chunk(&extra, "tRNS", trns, 3);
    uint8_t idx[3] = {0, 1, 2};
    buf b = png_make(3, 1, 8, 3, idx, 3, &extra);
    vkvlm_image *img = NULL;
    vkvlm_error err = {0};
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) TEST_CHECK(rgb_at(img, 0, 0, 255, 0, 0) && rgb_at(img, 1, 0, 0, 255, 0) && rgb_at(img, 2, 0, 1, 2, 3));
    vkvlm_image_destroy(img);
    free(b.p);
    free(extra.p);
}

/* PIL opens 16-bit grey as mode "I" and convert("RGB") clips to 255; 16-bit RGB keeps the high byte. */
static void test_png_16bit(void) {
    static const uint16_t v[6] = {0, 200, 255, 256, 1000, 65535};
    uint8_t row[12];
    for (int i = 0; i < 6; i++) {
        row[i * 2] = (uint8_t)(v[i] >> 8);
        row[i * 2 + 1] = (uint8_t)v[i];
    }
    buf b = png_make(6, 1, 16, 0, row, 12, NULL);
    vkvlm_image *img = NULL;
    vkvlm_error err = {0};
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) {
        static const int want[6] = {0, 200, 255, 255, 255, 255};
        for (int i = 0; i < 6; i++) TEST_CHECK(rgb_at(img, i, 0, want[i], want[i], want[i]));
    }
    vkvlm_image_destroy(img);
    free(b.p);

    uint8_t rgb16[6] = {0x12, 0x34, 0x80, 0xFF, 0xFF, 0x01};
    b = png_make(1, 1, 16, 2, rgb16, 6, NULL);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) TEST_CHECK(rgb_at(img, 0, 0, 0x12, 0x80, 0xFF));
    vkvlm_image_destroy(img);
    free(b.p);
}

/* A PNG eXIf chunk with orientation tag value o, little-endian TIFF. */
static void png_exif_chunk(buf *extra, int o) {
    uint8_t t[26] = {'I', 'I', 42, 0, 8, 0, 0, 0, /* IFD0 at 8 */ 1, 0, /* one entry */
                     0x12, 0x01, 3, 0, 1, 0, 0, 0, (uint8_t)o, 0, 0, 0, /* next IFD */ 0, 0, 0, 0};
    png_chunk(extra, "eXIf", t, sizeof t);
}

/* ImageOps.exif_transpose, all eight orientations, on a 3 x 2 image whose pixel (x, y) has red 10x + y. */
static void test_exif_orientation(void) {
    uint8_t px[2 * 3 * 3];
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++) {
            uint8_t *p = px + (y * 3 + x) * 3;
            p[0] = (uint8_t)(10 * x + y);
            p[1] = p[2] = 0;
        }
    /* expected: the red value at each output pixel, row-major, and the output size */
    static const struct {
        int w, h;
        int red[6];
    } want[9] = {
        {0, 0, {0}},
        {3, 2, {0, 10, 20, 1, 11, 21}}, /* 1: as stored */
        {3, 2, {20, 10, 0, 21, 11, 1}}, /* 2: mirror */
        {3, 2, {21, 11, 1, 20, 10, 0}}, /* 3: rotate 180 */
        {3, 2, {1, 11, 21, 0, 10, 20}}, /* 4: flip */
        {2, 3, {0, 1, 10, 11, 20, 21}}, /* 5: transpose */
        {2, 3, {1, 0, 11, 10, 21, 20}}, /* 6: rotate 90 clockwise */
        {2, 3, {21, 20, 11, 10, 1, 0}}, /* 7: transverse */
        {2, 3, {20, 21, 10, 11, 0, 1}}, /* 8: rotate 90 counter-clockwise */
    };
    for (int o = 1; o <= 8; o++) {
        buf extra = {0};
        png_exif_chunk(&extra, o);
        buf b = png_make(3, 2, 8, 2, px, 9, &extra);
        vkvlm_image *img = NULL;
        vkvlm_error err = {0};
        TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
        if (img) {
            TEST_CHECK_INT(img->exif_orientation, o);
            TEST_CHECK_INT(img->width, want[o].w);
            TEST_CHECK_INT(img->height, want[o].h);
            for (int i = 0; i < 6 && img->width == want[o].w; i++)
                TEST_CHECK_MSG(img->rgb[i * 3] == want[o].red[i], "orientation %d pixel %d: %d, expected %d", o, i,
                               img->rgb[i * 3], want[o].red[i]);
        }
        vkvlm_image_destroy(img);
        /* keep_exif_orientation: the stored pixels */
        vkvlm_image_desc keep = {.keep_exif_orientation = 1};
        TEST_CHECK_INT(vkvlm_image_decode(b.p, b.n, "keep", &keep, &img, &err), VKVLM_OK);
        if (img) {
            TEST_CHECK_INT(img->width, 3);
            TEST_CHECK(memcmp(img->rgb, px, sizeof px) == 0);
        }
        vkvlm_image_destroy(img);
        free(b.p);
        free(extra.p);
    }
}

/* ---------------------------------------------------------------- BMP */

/* A BMP with a 40-byte header (BITFIELDS masks after it when masks is not NULL). rows are bottom-up unless
 * top_down. row_bytes excludes padding, which is added. */
static buf bmp_make(int w, int h, int bpp, int compression, const uint32_t *masks, const uint8_t *palette_bgr0,
                    int colours, const uint8_t *rows, size_t row_bytes, int top_down) {
    buf b = {0};
    size_t stride = ((size_t)w * (size_t)bpp + 31) / 32 * 4;
    size_t off = 14 + 40 + (masks ? 12 : 0) + (size_t)colours * 4;
    size_t total = off + stride * (size_t)h;
    buf_put(&b, "BM", 2);
    buf_le32(&b, (uint32_t)total);
    buf_le32(&b, 0);
    buf_le32(&b, (uint32_t)off);
    buf_le32(&b, 40);
    buf_le32(&b, (uint32_t)w);
    buf_le32(&b, (uint32_t)(top_down ? -h : h));
    buf_le16(&b, 1);
    buf_le16(&b, (unsigned)bpp);
    buf_le32(&b, (uint32_t)compression);
    buf_le32(&b, (uint32_t)(stride * (size_t)h));
    buf_le32(&b, 2835);
    buf_le32(&b, 2835);
    buf_le32(&b, (uint32_t)colours);
    buf_le32(&b, 0);
    for (int i = 0; masks && i < 3; i++) buf_le32(&b, masks[i]);
    if (colours) buf_put(&b, palette_bgr0, (size_t)colours * 4);
    uint8_t zero[4] = {0, 0, 0, 0};
    for (int y = 0; y < h && rows; y++) {
        buf_put(&b, rows + (size_t)y * row_bytes, row_bytes);
        buf_put(&b, zero, stride - row_bytes);
    }
    return b;
}

static void test_bmp(void) {
    vkvlm_image *img = NULL;
    vkvlm_error err = {0};
    /* 24-bit, bottom-up: the first stored row is the bottom one; pixels are B, G, R */
    uint8_t rows24[2 * 6] = {1, 2, 3, 4, 5, 6, /* bottom */ 7, 8, 9, 10, 11, 12 /* top */};
    buf b = bmp_make(2, 2, 24, 0, NULL, NULL, 0, rows24, 6, 0);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) {
        TEST_CHECK_INT(img->format, VKVLM_IMAGE_FORMAT_BMP);
        TEST_CHECK(rgb_at(img, 0, 0, 9, 8, 7) && rgb_at(img, 1, 1, 6, 5, 4));
    }
    vkvlm_image_destroy(img);
    free(b.p);
    /* top-down (negative height) */
    b = bmp_make(2, 2, 24, 0, NULL, NULL, 0, rows24, 6, 1);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) TEST_CHECK(rgb_at(img, 0, 0, 3, 2, 1) && rgb_at(img, 1, 1, 12, 11, 10));
    vkvlm_image_destroy(img);
    free(b.p);
    /* 8-bit palette */
    uint8_t pal[2 * 4] = {30, 20, 10, 0, 60, 50, 40, 0};
    uint8_t idx[2] = {1, 0};
    b = bmp_make(2, 1, 8, 0, NULL, pal, 2, idx, 2, 0);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) TEST_CHECK(rgb_at(img, 0, 0, 40, 50, 60) && rgb_at(img, 1, 0, 10, 20, 30));
    vkvlm_image_destroy(img);
    free(b.p);
    /* 16-bit 565 and 555: PIL scales v * 255 / (2^bits - 1), truncated (stb alone would give 99, not 98) */
    uint16_t px565 = (uint16_t)(12u << 11 | 38u << 5 | 31u);
    uint8_t r565[2] = {(uint8_t)px565, (uint8_t)(px565 >> 8)};
    uint32_t masks565[3] = {0xF800, 0x07E0, 0x001F};
    b = bmp_make(1, 1, 16, 3, masks565, NULL, 0, r565, 2, 0);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) TEST_CHECK(rgb_at(img, 0, 0, 12 * 255 / 31, 38 * 255 / 63, 255));
    vkvlm_image_destroy(img);
    free(b.p);
    uint16_t px555 = (uint16_t)(12u << 10 | 1u << 5 | 30u);
    uint8_t r555[2] = {(uint8_t)px555, (uint8_t)(px555 >> 8)};
    b = bmp_make(1, 1, 16, 0, NULL, NULL, 0, r555, 2, 0);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) TEST_CHECK(rgb_at(img, 0, 0, 98, 8, 30 * 255 / 31));
    vkvlm_image_destroy(img);
    free(b.p);
    /* RLE8, which PIL reads and stb does not: refused as unsupported, not as corrupt */
    uint8_t rle[4] = {2, 1, 0, 1};
    b = bmp_make(2, 1, 8, 1, NULL, pal, 2, rle, 4, 0);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_ERR_UNSUPPORTED);
    TEST_CHECK(img == NULL);
    TEST_CHECK(strstr(err.message, "RLE8") != NULL);
    free(b.p);
}

/* ---------------------------------------------------------------- GIF */

/* A GIF89a with a global palette, optional transparent index, and one frame at (fx, fy) of fw x fh indices,
 * LZW-coded with 9-bit literal codes only (a clear code every 254 codes keeps the width at 9). */
static buf gif_make(int sw, int sh, const uint8_t pal[768], int transparent, int fx, int fy, int fw, int fh,
                    const uint8_t *idx) {
    buf b = {0};
    buf_put(&b, "GIF89a", 6);
    buf_le16(&b, (unsigned)sw);
    buf_le16(&b, (unsigned)sh);
    buf_u8(&b, 0x80 | 7); /* global palette of 256 entries */
    buf_u8(&b, 5);        /* background index: PIL ignores it for the first frame */
    buf_u8(&b, 0);
    buf_put(&b, pal, 768);
    if (transparent >= 0) {
        uint8_t gce[8] = {0x21, 0xF9, 4, 1, 0, 0, (uint8_t)transparent, 0};
        buf_put(&b, gce, 8);
    }
    buf_u8(&b, 0x2C);
    buf_le16(&b, (unsigned)fx);
    buf_le16(&b, (unsigned)fy);
    buf_le16(&b, (unsigned)fw);
    buf_le16(&b, (unsigned)fh);
    buf_u8(&b, 0);
    buf_u8(&b, 8); /* LZW minimum code size */
    buf codes = {0};
    uint32_t acc = 0;
    int nbits = 0, since_clear = 0;
    int n = fw * fh;
    for (int i = -1; i <= n; i++) {
        unsigned code = i < 0 ? 256u : i == n ? 257u : idx[i];
        if (i >= 0 && i < n && since_clear == 254) { /* clear before the table would need 10-bit codes */
            acc |= 256u << nbits;
            nbits += 9;
            since_clear = 0;
            while (nbits >= 8) {
                buf_u8(&codes, acc & 255);
                acc >>= 8;
                nbits -= 8;
            }
        }
        acc |= code << nbits;
        nbits += 9;
        if (i >= 0 && i < n) since_clear++;
        while (nbits >= 8) {
            buf_u8(&codes, acc & 255);
            acc >>= 8;
            nbits -= 8;
        }
    }
    if (nbits) buf_u8(&codes, acc & 255);
    for (size_t off = 0; off < codes.n; off += 255) {
        size_t k = codes.n - off > 255 ? 255 : codes.n - off;
        buf_u8(&b, (unsigned)k);
        buf_put(&b, codes.p + off, k);
    }
    buf_u8(&b, 0);
    buf_u8(&b, 0x3B);
    free(codes.p);
    return b;
}

/* PIL's palette view of a GIF: transparent pixels show their palette colour; outside the first frame the
 * transparent colour shows (or entry 0 when there is no transparency). */
static void test_gif(void) {
    uint8_t pal[768];
    for (int i = 0; i < 768; i++) pal[i] = (uint8_t)(i * 7 + 3);
    uint8_t idx[4 * 3];
    for (int i = 0; i < 12; i++) idx[i] = (uint8_t)(i % 4);
    vkvlm_image *img = NULL;
    vkvlm_error err = {0};
    const uint8_t *p1 = pal + 3, *p2 = pal + 6, *p0 = pal;
    /* opaque full frame */
    buf b = gif_make(4, 3, pal, -1, 0, 0, 4, 3, idx);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) {
        TEST_CHECK_INT(img->format, VKVLM_IMAGE_FORMAT_GIF);
        TEST_CHECK(rgb_at(img, 1, 0, p1[0], p1[1], p1[2]) && rgb_at(img, 2, 2, p2[0], p2[1], p2[2]));
    }
    vkvlm_image_destroy(img);
    free(b.p);
    /* index 2 transparent, frame at (1, 1) on a 6 x 5 screen */
    b = gif_make(6, 5, pal, 2, 1, 1, 4, 3, idx);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) {
        TEST_CHECK(rgb_at(img, 3, 1, p2[0], p2[1], p2[2])); /* frame pixel (2, 0), index 2: transparent */
        TEST_CHECK(rgb_at(img, 2, 1, p1[0], p1[1], p1[2])); /* frame pixel (1, 0), index 1 */
        TEST_CHECK(rgb_at(img, 0, 0, p2[0], p2[1], p2[2])); /* outside: the transparent colour */
    }
    vkvlm_image_destroy(img);
    free(b.p);
    /* no transparency, partial frame: outside is palette entry 0, not the background index 5 */
    b = gif_make(6, 5, pal, -1, 1, 1, 4, 3, idx);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_OK);
    if (img) TEST_CHECK(rgb_at(img, 5, 4, p0[0], p0[1], p0[2]));
    vkvlm_image_destroy(img);
    free(b.p);
    /* a first frame that leaves the logical screen: stb refuses it (PIL would grow the canvas) */
    b = gif_make(3, 2, pal, -1, 1, 1, 4, 3, idx);
    TEST_CHECK_INT(decode(&b, &img, &err), VKVLM_ERR_FORMAT);
    TEST_CHECK(strstr(err.message, "stb_image") != NULL);
    free(b.p);
}

/* ---------------------------------------------------------------- JPEG (files made by PIL) */

static uint8_t *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16;
    uint8_t *p = malloc(cap);
    *n = p ? fread(p, 1, cap, f) : 0;
    fclose(f);
    return p;
}

/* stb vs libjpeg-turbo on PIL-written JPEGs: dims exact, pixels within 3 levels, mean error below 0.25. The
 * measured values when these files were made: max 2 (all four), mean 0.005 .. 0.082. */
static void test_jpeg_close_to_pil(void) {
    const char *src = getenv("VKVLM_SOURCE_DIR");
    if (!src || !*src) {
        TEST_SKIP("VKVLM_SOURCE_DIR is not set");
        return;
    }
    static const struct {
        const char *name;
        int w, h, orientation;
    } files[] = {{"photo_420", 24, 16, 1}, {"photo_444", 24, 16, 1}, {"grey", 24, 16, 1}, {"orient6", 16, 24, 6}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[4096], ref_path[4096];
        snprintf(path, sizeof path, "%s/tests/data/images/%s.jpg", src, files[i].name);
        snprintf(ref_path, sizeof ref_path, "%s/tests/data/images/%s.rgb", src, files[i].name);
        vkvlm_image *img = NULL;
        vkvlm_error err = {0};
        TEST_CHECK_INT(vkvlm_image_load(path, NULL, &img, &err), VKVLM_OK);
        size_t n = 0;
        uint8_t *ref = read_all(ref_path, &n);
        TEST_CHECK_MSG(ref != NULL, "%s: cannot read", ref_path);
        if (img && ref) {
            TEST_CHECK_INT(img->format, VKVLM_IMAGE_FORMAT_JPEG);
            TEST_CHECK_INT(img->width, files[i].w);
            TEST_CHECK_INT(img->height, files[i].h);
            TEST_CHECK_INT(img->exif_orientation, files[i].orientation);
            size_t bytes = (size_t)files[i].w * (size_t)files[i].h * 3;
            TEST_CHECK_INT(n, bytes);
            int max = 0;
            double sum = 0;
            for (size_t k = 0; k < bytes && k < n; k++) {
                int d = abs((int)img->rgb[k] - (int)ref[k]);
                if (d > max) max = d;
                sum += d;
            }
            TEST_CHECK_MSG(max <= 3 && sum / (double)bytes < 0.25, "%s: max |diff| %d, mean %.3f vs PIL", files[i].name,
                           max, sum / (double)bytes);
        }
        free(ref);
        vkvlm_image_destroy(img);
    }
    /* the stored orientation on request */
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/images/orient6.jpg", src);
    vkvlm_image_desc keep = {.keep_exif_orientation = 1};
    vkvlm_image *img = NULL;
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_image_load(path, &keep, &img, &err), VKVLM_OK);
    if (img) {
        TEST_CHECK_INT(img->width, 24);
        TEST_CHECK_INT(img->height, 16);
    }
    vkvlm_image_destroy(img);
}

/* ---------------------------------------------------------------- refusals */

static void expect_failure(const void *data, size_t n, const vkvlm_image_desc *desc, vkvlm_status want,
                           const char *needle) {
    vkvlm_image *img = (vkvlm_image *)1;
    vkvlm_error err = {0};
    vkvlm_status st = vkvlm_image_decode(data, n, "bad.img", desc, &img, &err);
    TEST_CHECK_MSG(st == want, "status %s (%s), expected %s", vkvlm_status_text(st), err.message,
                   vkvlm_status_text(want));
    TEST_CHECK(img == NULL);
    TEST_CHECK_INT(err.status, want);
    TEST_CHECK_MSG(strstr(err.message, "bad.img") != NULL, "message does not name the file: %s", err.message);
    TEST_CHECK_MSG(strstr(err.message, needle) != NULL, "message lacks \"%s\": %s", needle, err.message);
}

static void test_bad_inputs(void) {
    /* empty and garbage */
    expect_failure("", 0, NULL, VKVLM_ERR_FORMAT, "empty");
    expect_failure("hello, this is not an image", 27, NULL, VKVLM_ERR_FORMAT, "not a PNG, JPEG, BMP or GIF");
    expect_failure("RIFF\x10\0\0\0WEBPVP8 ", 16, NULL, VKVLM_ERR_UNSUPPORTED, "WebP");
    expect_failure("II*\0\x08\0\0\0", 8, NULL, VKVLM_ERR_UNSUPPORTED, "TIFF");

    uint8_t rgb[4 * 4 * 3];
    for (size_t i = 0; i < sizeof rgb; i++) rgb[i] = (uint8_t)(i * 13);
    buf good = png_make(4, 4, 8, 2, rgb, 12, NULL);
    /* truncated: the header survives, the data does not */
    expect_failure(good.p, good.n - 20, NULL, VKVLM_ERR_FORMAT, "truncated png: the IDAT chunk");
    expect_failure(good.p, 30, NULL, VKVLM_ERR_FORMAT, "stb_image:"); /* stb's reason is quoted */
    /* allocation bombs, refused before stb sizes buffers from them: a 40-byte file whose IDAT claims 2 GiB,
     * and a 4000 x 4000 image with 11 bytes of image data (deflate cannot pack 48 MB into that) */
    buf bomb = {0};
    buf_put(&bomb, good.p, 33); /* signature + IHDR */
    buf_be32(&bomb, 0x7FFFFF00u);
    buf_put(&bomb, "IDAT\x78\x01\x01\x00", 8);
    expect_failure(bomb.p, bomb.n, NULL, VKVLM_ERR_FORMAT, "claims 2147483392 bytes");
    free(bomb.p);
    buf thin = png_make(4000, 4000, 8, 2, NULL, 0, NULL);
    expect_failure(thin.p, thin.n, NULL, VKVLM_ERR_FORMAT, "cannot hold 4000 x 4000 pixels");
    free(thin.p);
    expect_failure(good.p, 12, NULL, VKVLM_ERR_FORMAT, "truncated png header");
    /* corrupt IDAT: garbage in the zlib stream */
    buf bad = {0};
    buf_put(&bad, good.p, good.n);
    size_t idat = 8 + 25; /* signature + IHDR chunk */
    memset(bad.p + idat + 8, 0xEE, 6);
    expect_failure(bad.p, bad.n, NULL, VKVLM_ERR_FORMAT, "stb_image:");
    free(bad.p);
    /* truncated BMP and GIF: stb alone would decode them, filling the missing part; PIL raises "image file is
     * truncated", and so does vkvlm */
    uint8_t rows24[4 * 3 * 3];
    memset(rows24, 9, sizeof rows24);
    buf bmp = bmp_make(4, 3, 24, 0, NULL, NULL, 0, rows24, 12, 0);
    expect_failure(bmp.p, bmp.n - 1, NULL, VKVLM_ERR_FORMAT, "truncated bmp");
    free(bmp.p);
    uint8_t gpal[768] = {0}, gidx[64];
    memset(gidx, 1, sizeof gidx);
    buf gif = gif_make(8, 8, gpal, -1, 0, 0, 8, 8, gidx);
    expect_failure(gif.p, gif.n - 8, NULL, VKVLM_ERR_FORMAT, "truncated gif");
    free(gif.p);
    /* a custom pixel limit */
    vkvlm_image_desc small = {.max_pixels = 15};
    expect_failure(good.p, good.n, &small, VKVLM_ERR_LIMIT, "exceeds the limit of 15");
    free(good.p);

    /* zero-sized */
    buf zero = png_make(0, 5, 8, 2, NULL, 0, NULL);
    expect_failure(zero.p, zero.n, NULL, VKVLM_ERR_FORMAT, "zero-sized");
    free(zero.p);
    uint8_t pal[768] = {0};
    buf zgif = gif_make(0, 0, pal, -1, 0, 0, 0, 0, NULL);
    expect_failure(zgif.p, zgif.n, NULL, VKVLM_ERR_FORMAT, "zero-sized");
    free(zgif.p);

    /* enormous: headers claiming 100000 x 100000 (10^10 pixels) are refused from the header alone, so no
     * pixel buffer is ever allocated (there is no pixel data behind these headers at all) */
    buf huge = png_make(100000, 100000, 8, 2, NULL, 0, NULL);
    expect_failure(huge.p, huge.n, NULL, VKVLM_ERR_LIMIT, "100000 x 100000");
    free(huge.p);
    buf hbmp = bmp_make(100000, 100000, 24, 0, NULL, NULL, 0, NULL, 0, 0);
    expect_failure(hbmp.p, hbmp.n, NULL, VKVLM_ERR_LIMIT, "exceeds the limit");
    free(hbmp.p);
    buf hgif = gif_make(65535, 65535, pal, -1, 0, 0, 1, 1, (const uint8_t *)"\0");
    expect_failure(hgif.p, hgif.n, NULL, VKVLM_ERR_LIMIT, "65535 x 65535");
    free(hgif.p);
    /* JPEG: SOI, then a baseline frame header for 60000 x 60000 */
    static const uint8_t hjpg[] = {0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0xEA, 0x60, 0xEA, 0x60, 1, 1, 0x11, 0};
    expect_failure(hjpg, sizeof hjpg, NULL, VKVLM_ERR_LIMIT, "60000 x 60000");
    /* a DHT whose 16 code counts sum past 256: Debian's stb 2.27 would overrun a table (found by fuzz_image),
     * so image.c refuses it before stb runs */
    static const uint8_t dht[] = {0xFF, 0xD8, 0xFF, 0xC4, 0, 19, 0x00, 32, 32, 32, 32, 32, 32, 32, 32,
                                  32,   32,   32,   32,   32, 32, 32,   32};
    expect_failure(dht, sizeof dht, NULL, VKVLM_ERR_FORMAT, "Huffman table has 512 codes");
    /* just over the default limit: 8193 x 8192 */
    buf over = png_make(8193, 8192, 8, 2, NULL, 0, NULL);
    expect_failure(over.p, over.n, NULL, VKVLM_ERR_LIMIT, "exceeds the limit of 67108864");
    free(over.p);
}

static void test_files(void) {
    vkvlm_image *img = (vkvlm_image *)1;
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_image_load("/nonexistent/dir/photo.png", NULL, &img, &err), VKVLM_ERR_IO);
    TEST_CHECK(img == NULL);
    TEST_CHECK(strstr(err.message, "/nonexistent/dir/photo.png") != NULL);
    TEST_CHECK(strstr(err.message, "No such file") != NULL);

    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_image_load("/", NULL, &img, &err), VKVLM_ERR_IO); /* a directory */

    /* an empty file on disk, and a valid one */
    char tmpl[] = "/tmp/vkvlm_test_image_XXXXXX";
    int fd = mkstemp(tmpl);
    TEST_CHECK(fd >= 0);
    if (fd < 0) return;
    close(fd);
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_image_load(tmpl, NULL, &img, &err), VKVLM_ERR_FORMAT);
    TEST_CHECK(strstr(err.message, tmpl) != NULL && strstr(err.message, "empty") != NULL);
    uint8_t px[3] = {1, 2, 3};
    buf b = png_make(1, 1, 8, 2, px, 3, NULL);
    FILE *f = fopen(tmpl, "wb");
    if (f) {
        fwrite(b.p, 1, b.n, f);
        fclose(f);
    }
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_image_load(tmpl, NULL, &img, &err), VKVLM_OK);
    if (img) TEST_CHECK(rgb_at(img, 0, 0, 1, 2, 3));
    vkvlm_image_destroy(img);
    free(b.p);
    remove(tmpl);
}

static void test_create_and_names(void) {
    vkvlm_image *img = NULL;
    vkvlm_error err = {0};
    TEST_CHECK_INT(vkvlm_image_create(5, 4, &img, &err), VKVLM_OK);
    if (img) {
        TEST_CHECK_INT(img->format, VKVLM_IMAGE_FORMAT_NONE);
        TEST_CHECK(img->rgb[0] == 0 && img->rgb[5 * 4 * 3 - 1] == 0);
    }
    vkvlm_image_destroy(img);
    vkvlm_image_destroy(NULL);
    TEST_CHECK_INT(vkvlm_image_create(0, 4, &img, &err), VKVLM_ERR_USAGE);
    vkvlm_error_clear(&err);
    TEST_CHECK_INT(vkvlm_image_create(100000, 100000, &img, &err), VKVLM_ERR_LIMIT);
    TEST_CHECK_STR(vkvlm_image_format_name(VKVLM_IMAGE_FORMAT_JPEG), "jpeg");
    TEST_CHECK_STR(vkvlm_image_format_name((vkvlm_image_format)99), "none");
}

int main(void) {
    TEST_RUN(test_png_rgb_and_grey);
    TEST_RUN(test_png_alpha_is_dropped);
    TEST_RUN(test_png_palette_with_transparency);
    TEST_RUN(test_png_16bit);
    TEST_RUN(test_exif_orientation);
    TEST_RUN(test_bmp);
    TEST_RUN(test_gif);
    TEST_RUN(test_jpeg_close_to_pil);
    TEST_RUN(test_bad_inputs);
    TEST_RUN(test_files);
    TEST_RUN(test_create_and_names);
    return test_finish();
}
