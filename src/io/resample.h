/* resample.h — Pillow's Image.resize, bit for bit, for interleaved 8-bit images.
 *
 * What it does: resizes an 8-bit image with 1 to 4 interleaved channels exactly as Pillow's
 * `Image.resize(size, resample, box=None, reducing_gap=None)` does for modes L and RGB, because Hugging Face's
 * image processors resize with Pillow and vkvlm must feed the vision tower the same pixels (DESIGN.md
 * "Correctness"). Checked against Debian's python3-pil 9.4.0 on thousands of random cases (every filter, L and
 * RGB, up and down, 1 pixel to 4096 and a 2^24 + 3 wide row); tests/unit/test_resample.c replays a sample.
 *
 * The algorithm, as Pillow implements it (ImagingResample, 8 bits per channel):
 *  - Separable: a horizontal pass, then a vertical pass; a pass is skipped when that side keeps its size. The
 *    horizontal pass only computes the input rows the vertical pass will read. The horizontal result is rounded
 *    and clipped to 0..255 before the vertical pass reads it.
 *  - Output pixel i of a pass samples the input around center = (i + 0.5) * scale (pixel centres), with
 *    scale = in / out. The filter is stretched by max(scale, 1), so downscaling averages over the footprint.
 *    Taps run over [int(center - support + 0.5), int(center + support + 0.5)) clipped to the image, each weighed
 *    filter((j - center + 0.5) / max(scale, 1)); the weights are divided by their sum (in double).
 *  - The weights become fixed point with 22 fraction bits (Pillow's PRECISION_BITS = 32 - 8 - 2), rounded half
 *    away from zero; sums start at 0.5 in that fixed point and are clipped to 0..255 after the shift.
 *  - NEAREST is not a filter in Pillow: it is an affine scale that maps output pixel x to input
 *    int(scale * 0.5 + x * scale), the position accumulated by repeated addition as Pillow does.
 *  - A detail that shows: Pillow's hamming window uses the float constants 0.54f and 0.46f, not doubles.
 *
 * What it does not do: Pillow's `reducing_gap` pre-reduction (HF never passes it), a crop box, premultiplied
 * alpha (Pillow resizes RGBA as RGBa; vkvlm images are RGB), 16-bit or float images.
 *
 * Floating point: the coefficients are computed in double with the operation order Pillow's C code has, and
 * without fused multiply-add (clang: FP_CONTRACT OFF in resample.c; gcc: ISO C mode already has
 * -ffp-contract=off). Pillow's own build (x86-64 SSE2) does not fuse either. Never build this with -ffast-math:
 * it breaks the match (tested). The lanczos and hamming filters call the C library's sin() and cos(); a libm
 * that differs by an ulp could in principle move one fixed-point weight by 1 (never seen), which would change a
 * pixel by at most 1 level in rare cases.
 */
#ifndef VKVLM_IO_RESAMPLE_H
#define VKVLM_IO_RESAMPLE_H

#include <stdint.h>

#include "vkvlm.h"

/* Pillow's filter ids, numbered as PIL.Image.Resampling is, so a `resample` value from a Hugging Face
 * preprocessor_config.json maps directly (0 is a real filter here, not "default": the number is external). */
typedef enum vkvlm_resample_filter {
    VKVLM_RESAMPLE_NEAREST = 0,
    VKVLM_RESAMPLE_LANCZOS = 1,  /* a = 3, support 3 */
    VKVLM_RESAMPLE_BILINEAR = 2, /* triangle, support 1 */
    VKVLM_RESAMPLE_BICUBIC = 3,  /* a = -0.5, support 2 */
    VKVLM_RESAMPLE_BOX = 4,      /* support 0.5 */
    VKVLM_RESAMPLE_HAMMING = 5,  /* support 1 */
    VKVLM_RESAMPLE_FILTER_COUNT
} vkvlm_resample_filter;

/* "bicubic", "lanczos", ...; "unknown" outside the enum. Never NULL. */
const char *vkvlm_resample_filter_name(vkvlm_resample_filter filter);

/* Resizes src [src_h, src_w, channels] (row-major, interleaved, 8 bits per channel) into dst [dst_h, dst_w,
 * channels], a caller-owned buffer of dst_h * dst_w * channels bytes. channels is 1..4, each one resampled
 * independently (as Pillow does for L, RGB and the colour bands of RGBX). All sizes must be >= 1.
 * Allocates scratch memory internally and frees it before returning.
 * Errors: VKVLM_ERR_USAGE (bad sizes, channels or filter), VKVLM_ERR_LIMIT (coefficient table beyond 2 GiB, where
 * Pillow raises MemoryError), VKVLM_ERR_OUT_OF_MEMORY. */
vkvlm_status vkvlm_resample_u8(const uint8_t *src, int src_w, int src_h, int channels, uint8_t *dst, int dst_w,
                               int dst_h, vkvlm_resample_filter filter, vkvlm_error *err);

#endif
