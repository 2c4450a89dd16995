#!/usr/bin/python3
"""The per-class test set of bench/quality, built from real photos.

    /usr/bin/python3 bench/quality_inputs.py OUT_DIR MANIFEST --p3 DISPLAY_P3.icc [--per-class N] [--wide N] INPUT_DIR...

Writes the files into OUT_DIR (one flat folder of images only, every stem unique, so that every tool's outputs
can be matched back) and MANIFEST, one "CLASS FILE" per line. Classes:
  jpeg-baseline     baseline JPEGs among the inputs, as given
  jpeg-progressive  progressive JPEGs as given, plus the baseline ones made progressive by jpegtran
  png, png-alpha    PNGs as given, opaque ones and translucent ones apart
  webp              WebPs as given
  wide-jpg, wide-png, wide-webp
                    --wide JPEG photos converted from sRGB to Display P3, Adobe RGB and ProPhoto RGB
                    (LittleCMS, relative colorimetric), the profile embedded
  cmyk              the same photos as CMYK JPEGs, Ghostscript's default CMYK profile embedded
  alpha             synthetic white discs and text, antialiased, on transparency whose pixels hold random or
                    saturated colour (2000×1500; PNG and lossless WebP with that colour kept exactly)
"""
import argparse
import os
import subprocess

import numpy as np
from PIL import Image, ImageCms, ImageDraw, ImageFont, ImageOps

ADOBE_RGB = "/usr/share/color/icc/colord/AdobeRGB1998.icc"
PROPHOTO = "/usr/share/color/icc/colord/ProPhotoRGB.icc"
CMYK = "/usr/share/color/icc/ghostscript/default_cmyk.icc"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
INTENT = ImageCms.Intent.RELATIVE_COLORIMETRIC if hasattr(ImageCms, "Intent") \
    else ImageCms.INTENT_RELATIVE_COLORIMETRIC
SRGB = ImageCms.createProfile("sRGB")


def images(dirs, *exts):
    for d in dirs:
        for name in sorted(os.listdir(d)):
            if os.path.splitext(name)[1].lower() in exts:
                yield os.path.join(d, name)


def stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def translucent(path):
    with Image.open(path) as im:
        if im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info):
            return im.convert("RGBA").getchannel("A").getextrema()[0] < 255
    return False


def link(src, out_dir, name):
    dst = os.path.join(out_dir, name)
    os.symlink(os.path.abspath(src), dst)
    return dst


def convert_profile(im, dst_path, mode="RGB"):
    """im (sRGB) converted to the profile in dst_path (of colour space mode), with that profile's bytes"""
    dst = ImageCms.getOpenProfile(dst_path)
    out = ImageCms.applyTransform(im, ImageCms.buildTransform(SRGB, dst, "RGB", mode, INTENT))
    return out, open(dst_path, "rb").read()


def alpha_image(seed, w=2000, h=1500, scale=4):
    """white antialiased shapes; the fully transparent pixels hold noise (even seeds) or a saturated colour"""
    rng = np.random.default_rng(seed)
    mask = Image.new("L", (w * scale, h * scale), 0)
    d = ImageDraw.Draw(mask)
    for _ in range(12):
        x, y, r = rng.integers(0, w * scale), rng.integers(0, h * scale), rng.integers(20, 300) * scale
        d.ellipse([x - r, y - r, x + r, y + r], fill=255)
    d.ellipse([w * scale // 2 - 900, 200, w * scale // 2 + 900, 2000], outline=255, width=6 * scale)
    font = ImageFont.truetype(FONT, 160 * scale)
    d.text((80 * scale, h * scale // 2), "imgpool Ag", fill=255, font=font)
    font = ImageFont.truetype(FONT, 24 * scale)
    d.text((80 * scale, h * scale - 200 * scale), "small text, thin edges: 0123456789", fill=255, font=font)
    alpha = np.asarray(mask.resize((w, h), Image.LANCZOS))
    if seed % 2 == 0:
        rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    else:
        rgb = np.broadcast_to(np.array([255, 0, 255], np.uint8), (h, w, 3)).copy()
    rgb[alpha > 0] = 255
    return Image.fromarray(np.dstack([rgb, alpha]), "RGBA")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("manifest")
    p.add_argument("inputs", nargs="+")
    p.add_argument("--p3", required=True, help="a Display P3 ICC profile (bench/display_p3_icc.c)")
    p.add_argument("--per-class", type=int, default=0, help="at most N files per class (0: all)")
    p.add_argument("--wide", type=int, default=3, help="photos per wide-gamut profile and for CMYK")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    manifest = []

    def add(cls, path):
        if a.per_class and sum(c == cls for c, _ in manifest) >= a.per_class:
            return False
        manifest.append((cls, path))
        return True

    jpegs = list(images(a.inputs, ".jpg", ".jpeg"))
    progressive = {j for j in jpegs if Image.open(j).info.get("progressive")}
    for j in jpegs:
        if j not in progressive:
            if add("jpeg-baseline", f"{a.out}/base-{stem(j)}.jpg"):
                link(j, a.out, f"base-{stem(j)}.jpg")
    for j in jpegs:
        name = f"prog-{stem(j)}.jpg"
        if not add("jpeg-progressive", f"{a.out}/{name}"):
            break
        if j in progressive:
            link(j, a.out, name)
        else:
            subprocess.run(["jpegtran", "-progressive", "-copy", "all", "-outfile", f"{a.out}/{name}", j],
                           check=True)
    for png in images(a.inputs, ".png"):
        cls, name = ("png-alpha", f"pnga-{stem(png)}.png") if translucent(png) else ("png", f"png-{stem(png)}.png")
        if add(cls, f"{a.out}/{name}"):
            link(png, a.out, name)
    for webp in images(a.inputs, ".webp"):
        if add("webp", f"{a.out}/webp-{stem(webp)}.webp"):
            link(webp, a.out, f"webp-{stem(webp)}.webp")

    # Wide gamut and CMYK from the first few baseline photos that are not huge (conversion costs time).
    photos = [j for j in jpegs if j not in progressive and os.path.getsize(j) < 4 << 20][:a.wide]
    for j in photos:
        with Image.open(j) as im:
            im = ImageOps.exif_transpose(im).convert("RGB")
            for tag, profile in (("p3", a.p3), ("adobe", ADOBE_RGB), ("prophoto", PROPHOTO)):
                wide, icc = convert_profile(im, profile)
                base = f"{a.out}/wide-{tag}-{stem(j)}"
                if add("wide-jpg", base + "-jpg.jpg"):
                    wide.save(base + "-jpg.jpg", quality=95, icc_profile=icc)
                if add("wide-png", base + "-png.png"):
                    wide.save(base + "-png.png", icc_profile=icc, compress_level=1)
                if add("wide-webp", base + "-webp.webp"):
                    wide.save(base + "-webp.webp", quality=95, icc_profile=icc)
            if add("cmyk", f"{a.out}/cmyk-{stem(j)}.jpg"):
                cmyk, icc = convert_profile(im, CMYK, "CMYK")
                cmyk.save(f"{a.out}/cmyk-{stem(j)}.jpg", quality=95, icc_profile=icc)

    for seed in range(2):
        im = alpha_image(seed)
        for ext, kw in ((".png", {"compress_level": 1}), (".webp", {"lossless": True, "exact": True})):
            name = f"{a.out}/alpha-{seed}-{ext[1:]}{ext}"
            if add("alpha", name):
                im.save(name, **kw)

    stems = [stem(path) for _, path in manifest]
    assert len(set(stems)) == len(stems), "two inputs would write the same output"
    with open(a.manifest, "w") as f:
        f.writelines(f"{c} {p}\n" for c, p in manifest)


if __name__ == "__main__":
    main()
