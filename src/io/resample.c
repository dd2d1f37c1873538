/* resample.c — Pillow-exact image resizing (see resample.h for the algorithm and its sources of truth).
 *
 * Does: coefficient tables in double, their 22-bit fixed-point form, the horizontal and vertical 8-bit passes,
 * and Pillow's affine NEAREST scale. Does not: allocate anything the caller keeps, or know about file formats,
 * colour modes or preprocessing.
 *
 * Every floating-point expression below is written one operation per statement where a multiply feeds an add,
 * and contraction is off, so no compiler can fuse them into an FMA: bit-exactness must not depend on the target
 * or the optimisation level (checked at -O0 and -O2 with gcc and clang).
 */
#include "io/resample.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Pillow's fixed point for 8-bit images: 32 bits - 8 bits of pixel - 2 bits of headroom for negative lobes. */
#define RESAMPLE_PRECISION_BITS (32 - 8 - 2)

/* M_PI is POSIX, not ISO C; this literal rounds to the same double Pillow uses. */
#define RESAMPLE_PI 3.14159265358979323846

/* ---------------------------------------------------------------- filters (Pillow's kernels) */

typedef double (*resample_kernel_fn)(double x);

static double resample_box(double x) {
    if (x > -0.5 && x <= 0.5) return 1.0;
    return 0.0;
}

static double resample_triangle(double x) {
    if (x < 0.0) x = -x;
    if (x < 1.0) return 1.0 - x;
    return 0.0;
}

/* Pillow writes the window's constants as float literals (0.54f, 0.46f); with double constants 1 pixel in a few
 * hundred hamming resizes differs by 1 level, so the float values are part of the reference. */
static double resample_hamming(double x) {
    if (x < 0.0) x = -x;
    if (x == 0.0) return 1.0;
    if (x >= 1.0) return 0.0;
    x = x * RESAMPLE_PI;
    double window = (double)0.46f * cos(x);
    window = (double)0.54f + window;
    return sin(x) / x * window;
}

/* Keys' cubic convolution with a = -0.5, each product kept apart from the following add (no FMA). */
static double resample_bicubic(double x) {
    const double a = -0.5;
    if (x < 0.0) x = -x;
    if (x < 1.0) {
        double t = (a + 2.0) * x;
        t = t - (a + 3.0);
        t = t * x * x;
        return t + 1.0;
    }
    if (x < 2.0) {
        double t = (x - 5.0) * x;
        t = t + 8.0;
        t = t * x;
        t = t - 4.0;
        return t * a;
    }
    return 0.0;
}

static double resample_sinc(double x) {
    if (x == 0.0) return 1.0;
    x = x * RESAMPLE_PI;
    return sin(x) / x;
}

static double resample_lanczos(double x) {
    if (-3.0 <= x && x < 3.0) return resample_sinc(x) * resample_sinc(x / 3.0);
    return 0.0;
}

typedef struct resample_filter_def {
    const char *name;          /* as PIL.Image.Resampling spells it, lower case */
    resample_kernel_fn kernel; /* NULL for nearest, which is not a convolution in Pillow */
    double support;            /* half-width of the kernel at scale 1, in input pixels */
} resample_filter_def;

static const resample_filter_def resample_filters[VKVLM_RESAMPLE_FILTER_COUNT] = {
    [VKVLM_RESAMPLE_NEAREST] = {"nearest", NULL, 0.0},
    [VKVLM_RESAMPLE_LANCZOS] = {"lanczos", resample_lanczos, 3.0},
    [VKVLM_RESAMPLE_BILINEAR] = {"bilinear", resample_triangle, 1.0},
    [VKVLM_RESAMPLE_BICUBIC] = {"bicubic", resample_bicubic, 2.0},
    [VKVLM_RESAMPLE_BOX] = {"box", resample_box, 0.5},
    [VKVLM_RESAMPLE_HAMMING] = {"hamming", resample_hamming, 1.0},
};

const char *vkvlm_resample_filter_name(vkvlm_resample_filter filter) {
    if ((int)filter < 0 || filter >= VKVLM_RESAMPLE_FILTER_COUNT) return "unknown";
    return resample_filters[filter].name;
}

/* ---------------------------------------------------------------- coefficient tables */

/* One pass's taps: output pixel i reads `count` input pixels from `first`, weighed by coeffs[i * ksize ..]. */
typedef struct resample_axis {
    int out_size;    /* output pixels along this axis */
    int ksize;       /* coefficient slots per output pixel (Pillow's ksize) */
    int *bounds;     /* [out_size, 2]: first input index, tap count */
    int32_t *coeffs; /* [out_size, ksize]: weights in RESAMPLE_PRECISION_BITS fixed point; unused slots 0 */
} resample_axis;

static void resample_axis_free(resample_axis *axis) {
    free(axis->bounds);
    free(axis->coeffs);
    axis->bounds = NULL;
    axis->coeffs = NULL;
}

/* Pillow's precompute_coeffs (with box = [0, in_size]) followed by normalize_coeffs_8bpc. */
static vkvlm_status resample_axis_build(resample_axis *axis, int in_size, int out_size, const resample_filter_def *f,
                                        vkvlm_error *err) {
    memset(axis, 0, sizeof *axis);
    /* Pillow receives the box as C floats; for sizes above 2^24 the float rounding is part of the result. */
    float in0 = 0.0f, in1 = (float)in_size;
    double scale = (double)(in1 - in0) / out_size;
    double filterscale = scale < 1.0 ? 1.0 : scale;
    double support = f->support * filterscale;
    int ksize = (int)ceil(support) * 2 + 1;
    if (out_size > INT_MAX / (ksize * (int)sizeof(double))) /* Pillow's MemoryError bound */
        return vkvlm_error_set(err, VKVLM_ERR_LIMIT,
                               "resample %s %d -> %d: coefficient table of %d x %d exceeds 2 GiB",
                               f->name, in_size, out_size, out_size, ksize);
    size_t nk = (size_t)out_size * (size_t)ksize;
    double *pre = malloc(nk * sizeof *pre);
    axis->bounds = malloc((size_t)out_size * 2 * sizeof *axis->bounds);
    axis->coeffs = malloc(nk * sizeof *axis->coeffs);
    if (!pre || !axis->bounds || !axis->coeffs) {
        free(pre);
        resample_axis_free(axis);
        return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "resample %s %d -> %d: out of memory for %zu coefficients",
                               f->name, in_size, out_size, nk);
    }
    axis->out_size = out_size;
    axis->ksize = ksize;

    double ss = 1.0 / filterscale;
    for (int xx = 0; xx < out_size; xx++) {
        double offset = ((double)xx + 0.5) * scale;
        double center = (double)in0 + offset;
        double lo = center - support;
        double hi = center + support;
        int xmin = (int)(lo + 0.5);
        if (xmin < 0) xmin = 0;
        int xmax = (int)(hi + 0.5);
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        double *k = &pre[(size_t)xx * (size_t)ksize];
        double ww = 0.0;
        int x = 0;
        for (; x < xmax; x++) {
            double arg = (double)(x + xmin) - center + 0.5;
            double w = f->kernel(arg * ss);
            k[x] = w;
            ww += w;
        }
        for (x = 0; x < xmax; x++) {
            if (ww != 0.0) k[x] /= ww;
        }
        for (; x < ksize; x++) k[x] = 0.0;
        axis->bounds[xx * 2 + 0] = xmin;
        axis->bounds[xx * 2 + 1] = xmax;
    }
    /* Round half away from zero; the multiply is by a power of two, so it is exact. */
    for (size_t i = 0; i < nk; i++) {
        double scaled = pre[i] * (double)(1 << RESAMPLE_PRECISION_BITS);
        axis->coeffs[i] = pre[i] < 0 ? (int32_t)(-0.5 + scaled) : (int32_t)(0.5 + scaled);
    }
    free(pre);
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- the two passes */

static uint8_t resample_clip8(int32_t v) {
    if (v >= (1 << RESAMPLE_PRECISION_BITS << 8)) return 255;
    if (v <= 0) return 0;
    return (uint8_t)(v >> RESAMPLE_PRECISION_BITS);
}

/* dst [rows, axis->out_size, channels] from src rows row0 .. row0 + rows - 1 of [*, src_w, channels]. The
 * accumulator stays inside int32: |sum of weights| < 2^22 * 1.3 and pixels < 2^8, as in Pillow. */
static void resample_horizontal(uint8_t *dst, const uint8_t *src, int src_w, int row0, int rows, int channels,
                                const resample_axis *axis) {
    int dst_w = axis->out_size;
    for (int yy = 0; yy < rows; yy++) {
        const uint8_t *in = src + (size_t)(row0 + yy) * (size_t)src_w * (size_t)channels;
        uint8_t *out = dst + (size_t)yy * (size_t)dst_w * (size_t)channels;
        for (int xx = 0; xx < dst_w; xx++) {
            int xmin = axis->bounds[xx * 2 + 0], count = axis->bounds[xx * 2 + 1];
            const int32_t *k = &axis->coeffs[(size_t)xx * (size_t)axis->ksize];
            for (int c = 0; c < channels; c++) {
                int32_t ss = 1 << (RESAMPLE_PRECISION_BITS - 1);
                const uint8_t *p = in + (size_t)xmin * (size_t)channels + (size_t)c;
                for (int x = 0; x < count; x++) ss += (int32_t)p[(size_t)x * (size_t)channels] * k[x];
                out[(size_t)xx * (size_t)channels + (size_t)c] = resample_clip8(ss);
            }
        }
    }
}

/* dst [axis->out_size, width, channels] from src [*, width, channels]; bounds are relative to src row row0. */
static void resample_vertical(uint8_t *dst, const uint8_t *src, int width, int row0, int channels,
                              const resample_axis *axis) {
    size_t stride = (size_t)width * (size_t)channels;
    for (int yy = 0; yy < axis->out_size; yy++) {
        int ymin = axis->bounds[yy * 2 + 0] - row0, count = axis->bounds[yy * 2 + 1];
        const int32_t *k = &axis->coeffs[(size_t)yy * (size_t)axis->ksize];
        const uint8_t *in = src + (size_t)ymin * stride;
        uint8_t *out = dst + (size_t)yy * stride;
        for (size_t i = 0; i < stride; i++) {
            int32_t ss = 1 << (RESAMPLE_PRECISION_BITS - 1);
            for (int y = 0; y < count; y++) ss += (int32_t)in[(size_t)y * stride + i] * k[y];
            out[i] = resample_clip8(ss);
        }
    }
}

/* ---------------------------------------------------------------- nearest (Pillow's ImagingScaleAffine) */

/* Input index of each output pixel along one axis: the position starts at scale * 0.5 and grows by repeated
 * addition of scale, then truncates, which is how Pillow's affine scaler walks (not (i + 0.5) * scale). */
static vkvlm_status resample_nearest_table(int **table, int in_size, int out_size, vkvlm_error *err) {
    *table = malloc((size_t)out_size * sizeof **table);
    if (!*table) return vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "resample nearest: out of memory");
    float in1 = (float)in_size;
    double a = (double)(in1 - 0.0f) / out_size;
    double half = a * 0.5;
    double pos = 0.0 + half;
    for (int i = 0; i < out_size; i++) {
        int v = pos < 0.0 ? -1 : (int)pos;
        /* Never outside for a whole-image box; Pillow would leave such a pixel unwritten. */
        if (v < 0) v = 0;
        if (v >= in_size) v = in_size - 1;
        (*table)[i] = v;
        pos += a;
    }
    return VKVLM_OK;
}

static vkvlm_status resample_nearest(const uint8_t *src, int src_w, int src_h, int channels, uint8_t *dst, int dst_w,
                                     int dst_h, vkvlm_error *err) {
    int *xs = NULL, *ys = NULL;
    vkvlm_status st = resample_nearest_table(&xs, src_w, dst_w, err);
    if (st == VKVLM_OK) st = resample_nearest_table(&ys, src_h, dst_h, err);
    if (st != VKVLM_OK) {
        free(xs);
        free(ys);
        return st;
    }
    for (int y = 0; y < dst_h; y++) {
        const uint8_t *in = src + (size_t)ys[y] * (size_t)src_w * (size_t)channels;
        uint8_t *out = dst + (size_t)y * (size_t)dst_w * (size_t)channels;
        for (int x = 0; x < dst_w; x++)
            memcpy(out + (size_t)x * (size_t)channels, in + (size_t)xs[x] * (size_t)channels, (size_t)channels);
    }
    free(xs);
    free(ys);
    return VKVLM_OK;
}

/* ---------------------------------------------------------------- entry point (Pillow's ImagingResampleInner) */

vkvlm_status vkvlm_resample_u8(const uint8_t *src, int src_w, int src_h, int channels, uint8_t *dst, int dst_w,
                               int dst_h, vkvlm_resample_filter filter, vkvlm_error *err) {
    if (!src || !dst || src_w < 1 || src_h < 1 || dst_w < 1 || dst_h < 1 || channels < 1 || channels > 4)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "resample: bad arguments (%d x %d x %d -> %d x %d)", src_w,
                               src_h, channels, dst_w, dst_h);
    if ((int)filter < 0 || filter >= VKVLM_RESAMPLE_FILTER_COUNT)
        return vkvlm_error_set(err, VKVLM_ERR_USAGE, "resample: unknown filter %d (Pillow knows 0..5)", (int)filter);
    const resample_filter_def *f = &resample_filters[filter];

    /* Same size, whole image: Pillow returns a copy. */
    if (src_w == dst_w && src_h == dst_h) {
        memcpy(dst, src, (size_t)src_w * (size_t)src_h * (size_t)channels);
        return VKVLM_OK;
    }
    if (!f->kernel) return resample_nearest(src, src_w, src_h, channels, dst, dst_w, dst_h, err);

    int need_horizontal = dst_w != src_w;
    int need_vertical = dst_h != src_h;
    resample_axis horiz, vert;
    vkvlm_status st = resample_axis_build(&horiz, src_w, dst_w, f, err);
    if (st != VKVLM_OK) return st;
    st = resample_axis_build(&vert, src_h, dst_h, f, err);
    if (st != VKVLM_OK) {
        resample_axis_free(&horiz);
        return st;
    }

    /* Input rows the vertical pass reads: the horizontal pass computes only those. */
    int row_first = vert.bounds[0];
    int row_last = vert.bounds[dst_h * 2 - 2] + vert.bounds[dst_h * 2 - 1];

    if (need_horizontal && !need_vertical) {
        resample_horizontal(dst, src, src_w, 0, src_h, channels, &horiz);
    } else if (!need_horizontal) {
        resample_vertical(dst, src, src_w, 0, channels, &vert);
    } else {
        size_t tmp_bytes = (size_t)(row_last - row_first) * (size_t)dst_w * (size_t)channels;
        uint8_t *tmp = malloc(tmp_bytes ? tmp_bytes : 1);
        if (!tmp) {
            st = vkvlm_error_set(err, VKVLM_ERR_OUT_OF_MEMORY, "resample %s %d x %d -> %d x %d: out of memory for %zu bytes",
                                 f->name, src_w, src_h, dst_w, dst_h, tmp_bytes);
        } else {
            resample_horizontal(tmp, src, src_w, row_first, row_last - row_first, channels, &horiz);
            resample_vertical(dst, tmp, dst_w, row_first, channels, &vert);
            free(tmp);
        }
    }
    resample_axis_free(&horiz);
    resample_axis_free(&vert);
    return st;
}
