#!/usr/bin/python3
"""SSIM of thumbnails against a float, full-resolution Lanczos reference.

  /usr/bin/python3 scripts/thumbnail_ssim.py CORPUS_DIR OUT_DIR [OUT_DIR...]

For each image in CORPUS_DIR the reference is Pillow's full decode (EXIF orientation applied),
premultiplied by its alpha, each channel resized in float ('F' mode) with Lanczos-3 to the size of
the thumbnail under test. Each OUT_DIR holds one tool's thumbnails (any format Pillow reads, named
STEM.*); they are compared in the same premultiplied space, so colour bleeding from under
transparent pixels counts. SSIM: 11x11 Gaussian window, sigma 1.5, on R, G, B (and A), averaged.
Prints the mean per OUT_DIR and per class (baseline/progressive JPEG, PNG, WebP, ...).
Needs Debian's python3 (PIL and numpy).
"""
import glob
import os
import sys

import numpy as np
from PIL import Image, ImageOps


def gaussian_blur(a, sigma=1.5, radius=5):
    x = np.arange(-radius, radius + 1)
    k = np.exp(-(x * x) / (2 * sigma * sigma))
    k /= k.sum()
    out = np.zeros((a.shape[0] - 2 * radius, a.shape[1]), np.float64)
    for i, w in enumerate(k):
        out += w * a[i:i + out.shape[0], :]
    res = np.zeros((out.shape[0], out.shape[1] - 2 * radius), np.float64)
    for i, w in enumerate(k):
        res += w * out[:, i:i + res.shape[1]]
    return res


def ssim(a, b):
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_a, mu_b = gaussian_blur(a), gaussian_blur(b)
    saa = gaussian_blur(a * a) - mu_a * mu_a
    sbb = gaussian_blur(b * b) - mu_b * mu_b
    sab = gaussian_blur(a * b) - mu_a * mu_b
    m = ((2 * mu_a * mu_b + c1) * (2 * sab + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (saa + sbb + c2))
    return float(m.mean())


def planes(im):
    """float planes, colour premultiplied by alpha; alpha last when there is one"""
    has_alpha = im.mode in ('RGBA', 'LA', 'PA') or (im.mode == 'P' and 'transparency' in im.info)
    rgba = np.asarray(im.convert('RGBA' if has_alpha else 'RGB'), np.float64)
    if not has_alpha:
        return [rgba[..., c] for c in range(3)]
    a = rgba[..., 3]
    return [rgba[..., c] * a / 255.0 for c in range(3)] + [a]


def klass(path, im):
    if im.format == 'JPEG':
        return 'jpeg-progressive' if im.info.get('progressive') or im.info.get('progression') else 'jpeg-baseline'
    return im.format.lower()


def main():
    corpus, outs = sys.argv[1], sys.argv[2:]
    scores = {o: {} for o in outs}
    for path in sorted(glob.glob(os.path.join(corpus, '*'))):
        src = Image.open(path)
        k = klass(path, src)
        src = ImageOps.exif_transpose(src)
        full = planes(src)
        stem = os.path.splitext(os.path.basename(path))[0]
        for o in outs:
            found = glob.glob(os.path.join(o, stem + '.*'))
            if not found:
                print(f'{o}: no thumbnail for {stem}', file=sys.stderr)
                continue
            thumb = Image.open(found[0])
            got = planes(thumb)
            size = thumb.size
            if min(size) < 12:
                continue
            ref = [np.asarray(Image.fromarray(p.astype(np.float32), 'F').resize(size, Image.LANCZOS), np.float64)
                   for p in full]
            if len(got) != len(ref):  # a tool dropped or added alpha: compare colour only
                n = min(len(got), len(ref), 3)
                got, ref = got[:n], ref[:n]
            s = np.mean([ssim(np.clip(r, 0, 255), g) for r, g in zip(ref, got)])
            scores[o].setdefault(k, []).append(s)
            if os.environ.get('VERBOSE'):
                print(f'{o} {stem} {k} {size} {s:.5f}')
    for o in outs:
        allv = [v for vs in scores[o].values() for v in vs]
        per = '  '.join(f'{k}={np.mean(v):.4f}(n={len(v)})' for k, v in sorted(scores[o].items()))
        print(f'{o}: mean={np.mean(allv):.4f}  {per}')


if __name__ == '__main__':
    main()
