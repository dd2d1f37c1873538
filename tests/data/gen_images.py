#!/usr/bin/python3
"""gen_images.py: writes the tiny JPEG files in tests/data/images/ and PIL's decoding of each (*.rgb: raw
8-bit RGB, row-major, after ImageOps.exif_transpose and convert("RGB"), which is what transformers' load_image
does). Run by hand with Debian bookworm's python3-pil 9.4.0 (libjpeg-turbo 2.1.5); the tests never run it.
JPEG is the one format vkvlm does not decode bit-identically to PIL, so test_image.c checks these within a
measured tolerance. The PNG, BMP and GIF inputs are built by test_image.c itself."""
import numpy as np
from PIL import Image, ImageOps

yy, xx = np.mgrid[0:16, 0:24]
img = np.stack([xx * 10, yy * 15, ((xx + 2 * yy) * 7) % 256], -1).astype(np.uint8)
img[4:10, 6:14] = (250, 230, 20)  # a yellow block: chroma edges
out = {}
Image.fromarray(img, "RGB").save("images/photo_420.jpg", "JPEG", quality=90, subsampling=2)
Image.fromarray(img, "RGB").save("images/photo_444.jpg", "JPEG", quality=95, subsampling=0)
Image.fromarray(img[..., 1], "L").save("images/grey.jpg", "JPEG", quality=90)
exif = Image.Exif()
exif[0x0112] = 6  # rotate 90 degrees clockwise when displayed
Image.fromarray(img, "RGB").save("images/orient6.jpg", "JPEG", quality=95, subsampling=0, exif=exif.tobytes())
for name in ["photo_420", "photo_444", "grey", "orient6"]:
    im = ImageOps.exif_transpose(Image.open(f"images/{name}.jpg")).convert("RGB")
    open(f"images/{name}.rgb", "wb").write(np.array(im).tobytes())
    print(name, im.size)
