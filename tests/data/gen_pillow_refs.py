#!/usr/bin/python3
"""gen_pillow_refs.py: writes tests/data/pillow_refs.txt, the oracle hashes that test_resample.c and
test_preprocess.c check. It is run by hand during development, never by the tests (they need no Python).

Made with Debian bookworm's python3-pil 9.4.0 and python3-numpy 1.24.2 (`apt-get install python3-pil
python3-numpy`, run with /usr/bin/python3). Each line holds the parameters of a case and the 64-bit FNV-1a hash
of the expected output bytes:

  resample W H C DW DH FILTER PATTERN HASH
      PIL Image.resize((DW, DH), FILTER, reducing_gap=None) of the W x H image (C = 1: mode L, C = 3: RGB)
      drawn by test_pattern(W, H, C, PATTERN); HASH over the uint8 output, row-major interleaved.
  clip W H SHORTEST CROP_H CROP_W FILTER PAD PATTERN HASH
  idefics3 W H LONGEST M SPLIT FILTER PATTERN ROWS COLS TILES HASH
      the float32 pixel_values (little-endian, [tiles, 3, H, W]) of transformers 4.47.1's CLIPImageProcessor /
      Idefics3ImageProcessor for that RGB image, with OpenAI CLIP mean/std (CLIP) or 0.5/0.5 (Idefics3) and
      rescale 1/255. transformers itself cannot be installed here, so clip_reference() and
      idefics3_reference() below transcribe its code paths with PIL and numpy; they reproduce the golden
      cases' pixel_values bit for bit (checked by running this script with --check-golden DIR).
"""
import math
import sys

import numpy as np
from PIL import Image

MASK64 = (1 << 64) - 1


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & MASK64
    return h


def test_pattern(w, h, c, pattern):
    """The same pixels as test_pattern() in tests/unit/test_resample.c: 0 = LCG noise, 1 = hard 0/255 edges
    (they drive every filter into its clip), 2 = smooth gradients."""
    out = np.zeros((h, w, c), np.uint8)
    if pattern == 0:
        x = (w * 31 + h * 17 + c) & 0x7FFFFFFF
        flat = out.reshape(-1)
        for i in range(flat.size):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
            flat[i] = (x >> 16) & 255
    elif pattern == 1:
        yy, xx = np.mgrid[0:h, 0:w]
        for k in range(c):
            out[..., k] = (((xx // (k + 1) + yy // 2) & 1) * 255).astype(np.uint8)
    else:
        yy, xx = np.mgrid[0:h, 0:w]
        for k in range(c):
            out[..., k] = ((xx * 255 // max(w - 1, 1) + yy * (k + 1) * 7) & 255).astype(np.uint8)
    return out


CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


def rescale_normalize(a, mean, std):
    """transformers: rescale = float32(float64(uint8) * scale); normalize = (x - f32 mean) / f32 std."""
    x = (a.astype(np.float64) * 0.00392156862745098).astype(np.float32)
    x = (x - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
    return x.transpose(2, 0, 1)


def clip_reference(a, shortest, crop_h, crop_w, resample, pad):
    im = Image.fromarray(a, "RGB")
    if pad:  # LLaVA expand2square with int(255 * mean)
        w, h = im.size
        color = tuple(int(x * 255) for x in CLIP_MEAN)
        if w != h:
            s = max(w, h)
            canvas = Image.new("RGB", (s, s), color)
            canvas.paste(im, ((s - w) // 2, (s - h) // 2))
            im = canvas
    w, h = im.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = shortest, int(shortest * long / short)
    oh, ow = (new_long, new_short) if w <= h else (new_short, new_long)
    arr = np.array(im.resize((ow, oh), resample=resample, reducing_gap=None))
    # center_crop, with transformers' zero padding when the crop is larger
    H, W = arr.shape[:2]
    top, left = (H - crop_h) // 2, (W - crop_w) // 2
    if top >= 0 and left >= 0 and top + crop_h <= H and left + crop_w <= W:
        arr = arr[top:top + crop_h, left:left + crop_w]
    else:
        nh, nw = max(crop_h, H), max(crop_w, W)
        big = np.zeros((nh, nw, 3), np.uint8)
        tp, lp = math.ceil((nh - H) / 2), math.ceil((nw - W) / 2)
        big[tp:tp + H, lp:lp + W] = arr
        top, left = top + tp, left + lp
        arr = big[max(0, top):min(nh, top + crop_h), max(0, left):min(nw, left + crop_w)]
    return [rescale_normalize(arr, CLIP_MEAN, CLIP_STD)], 0, 0


def idefics3_reference(a, longest, m, split, resample):
    def resize(arr, h, w, rs):
        return np.array(Image.fromarray(arr, "RGB").resize((w, h), resample=rs))

    h, w = a.shape[:2]
    # _resize_output_size_rescale_to_max_len, then _resize_output_size_scale_below_upper_bound(4096)
    aspect = w / h
    if w >= h:
        w = longest
        h = int(w / aspect)
        if h % 2 != 0:
            h += 1
    else:
        h = longest
        w = int(h * aspect)
        if w % 2 != 0:
            w += 1
    h, w = max(h, 1), max(w, 1)
    aspect = w / h
    if w >= h and w > 4096:
        w = 4096
        h = int(w / aspect)
    elif h > w and h > 4096:
        h = 4096
        w = int(h * aspect)
    h, w = max(h, 1), max(w, 1)
    img = resize(a, h, w, resample)
    rows = cols = 0
    frames = []
    if split:
        h, w = img.shape[:2]
        aspect = w / h
        if w >= h:
            w = math.ceil(w / m) * m
            h = int(w / aspect)
            h = math.ceil(h / m) * m
        else:
            h = math.ceil(h / m) * m
            w = int(h * aspect)
            w = math.ceil(w / m) * m
        img = resize(img, h, w, resample)
        if h > m or w > m:
            rows, cols = math.ceil(h / m), math.ceil(w / m)
            oh, ow = math.ceil(h / rows), math.ceil(w / cols)
            for r in range(rows):
                for c in range(cols):
                    sx, sy = c * ow, r * oh
                    frames.append(img[sy:min(sy + oh, h), sx:min(sx + ow, w)])
            if h != m or w != m:
                img = resize(img, m, m, Image.LANCZOS)  # split_image's own default filter
        frames.append(img)
    else:
        frames.append(resize(img, m, m, resample))
    return [rescale_normalize(f, [0.5] * 3, [0.5] * 3) for f in frames], rows, cols


def main():
    lines = []
    resample_cases = []
    for (w, h, dw, dh) in [(80, 64, 70, 56), (80, 64, 64, 52), (64, 52, 64, 64), (80, 80, 112, 112), (13, 7, 5, 3),
                           (7, 13, 29, 31), (1, 1, 4, 3), (5, 1, 1, 1), (1, 9, 3, 2), (97, 31, 17, 60),
                           (31, 97, 60, 17), (48, 48, 48, 20), (48, 48, 20, 48), (200, 150, 37, 29),
                           (16, 12, 160, 120), (333, 3, 11, 3)]:
        for f in range(6):
            for c in (1, 3):
                resample_cases.append((w, h, c, dw, dh, f, (w + h + f + c) % 3))
    # Hamming cases where Pillow's float-literal window constants (0.54f, 0.46f) change a pixel: with double
    # constants these three differ from Pillow (found by search; about 1 hamming resize in 400 is affected).
    resample_cases += [(11, 76, 1, 186, 86, 5, 0), (56, 20, 1, 82, 179, 5, 0), (31, 37, 3, 169, 186, 5, 0)]
    for (w, h, c, dw, dh, f, p) in resample_cases:
        a = test_pattern(w, h, c, p)
        im = Image.fromarray(a[..., 0] if c == 1 else a, "L" if c == 1 else "RGB")
        out = np.array(im.resize((dw, dh), f, reducing_gap=None)).tobytes()
        lines.append(f"resample {w} {h} {c} {dw} {dh} {f} {p} {fnv1a64(out):016x}")
    for (w, h, s, ch, cw, f, pad, p) in [(80, 64, 56, 56, 56, 3, 0, 2), (64, 80, 20, 24, 28, 3, 0, 0),
                                         (30, 10, 8, 12, 6, 2, 0, 1), (80, 64, 40, 40, 40, 3, 1, 0),
                                         (33, 47, 21, 21, 21, 1, 0, 0), (5, 50, 7, 9, 9, 0, 0, 2)]:
        frames, rows, cols = clip_reference(test_pattern(w, h, 3, p), s, ch, cw, f, pad)
        data = b"".join(fr.astype("<f4").tobytes() for fr in frames)
        lines.append(f"clip {w} {h} {s} {ch} {cw} {f} {pad} {p} {fnv1a64(data):016x}")
    for (w, h, longest, m, split, f, p) in [(80, 64, 20, 8, 1, 1, 0), (64, 80, 20, 8, 1, 1, 2), (80, 64, 64, 64, 0, 1, 0),
                                            (80, 64, 36, 12, 1, 3, 1), (100, 30, 40, 16, 1, 1, 0),
                                            (30, 100, 40, 16, 1, 1, 2), (50, 50, 16, 16, 1, 1, 0),
                                            (9, 7, 24, 8, 1, 1, 0)]:
        frames, rows, cols = idefics3_reference(test_pattern(w, h, 3, p), longest, m, split, f)
        data = b"".join(fr.astype("<f4").tobytes() for fr in frames)
        lines.append(f"idefics3 {w} {h} {longest} {m} {split} {f} {p} {rows} {cols} {len(frames)} {fnv1a64(data):016x}")
    with open(sys.argv[1] if len(sys.argv) > 1 else "pillow_refs.txt", "w") as fh:
        fh.write("# generated by tests/data/gen_pillow_refs.py (python3-pil 9.4.0, numpy 1.24.2); see its docstring\n")
        fh.write("\n".join(lines) + "\n")


def check_golden(golden):
    """The transcriptions against the golden cases' pixel_values (computed by real transformers 4.47.1)."""
    a = np.array(Image.open(f"{golden}/image.png").convert("RGB"))
    ok = True
    for case, fn in [("llava15_tiny_f32", lambda: clip_reference(a, 56, 56, 56, 3, 0)),
                     ("llava15_ficoco_v_f32", lambda: clip_reference(a, 112, 112, 112, 3, 0)),
                     ("llava15_ficoco_l_f32", lambda: clip_reference(a, 84, 84, 84, 3, 0)),
                     ("proxyv_tiny_f32", lambda: clip_reference(a, 112, 112, 112, 3, 1)),
                     ("smolvlm_tiny_f16", lambda: idefics3_reference(a, 64, 64, 0, 1))]:
        frames, _, _ = fn()
        got = b"".join(fr.astype("<f4").tobytes() for fr in frames)
        want = open(f"{golden}/{case}/expected/pixel_values.bin", "rb").read()
        print(case, "bit-identical" if got == want else "DIFFERENT")
        ok = ok and got == want
    return ok


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--check-golden":
        sys.exit(0 if check_golden(sys.argv[2]) else 1)
    main()
