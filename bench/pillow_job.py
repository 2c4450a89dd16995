#!/usr/bin/python3
"""The Python world's usual recipe, for comparison: Pillow + ProcessPoolExecutor.

    /usr/bin/python3 bench/pillow_job.py thumbnail --size 256 [--format jpg|png] -o OUT INPUT...
    /usr/bin/python3 bench/pillow_job.py resize-gray --size 800x600 -o OUT INPUT...

Same job as `imgpool thumbnail --size N --format jpg --quality 85` (draft() shrink-on-load, then
thumbnail(), JPEG quality 85 with 4:2:0 chroma; or PNG with the alpha channel kept) or as `imgpool run --op resize=800x600 --op grayscale`.
Folders are walked one level deep. Needs Debian's python3-pil (run it with /usr/bin/python3).
"""
import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor

from PIL import Image, ImageOps

EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff"}


def out_path(out_dir, path, ext):
    return os.path.join(out_dir, os.path.splitext(os.path.basename(path))[0] + ext)


def thumbnail(path, out_dir, size, quality, ext):
    with Image.open(path) as im:
        im.draft("RGB", (size, size))
        im = ImageOps.exif_transpose(im)
        im.thumbnail((size, size))
        if ext == ".png":  # PNG keeps the alpha channel
            if im.mode not in ("RGB", "RGBA", "L", "LA"):
                im = im.convert("RGBA" if "transparency" in im.info or im.mode.endswith("A") else "RGB")
            im.save(out_path(out_dir, path, ext))
            return path
        if im.mode not in ("RGB", "L"):
            im = im.convert("RGB")
        im.save(out_path(out_dir, path, ".jpg"), quality=quality, subsampling=2)
    return path


def resize_gray(path, out_dir, width, height, quality, ext):
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        im = im.resize((width, height)).convert("L")
        im.save(out_path(out_dir, path, ext), quality=quality)
    return path


def inputs(args):
    for a in args:
        if os.path.isdir(a):
            for name in sorted(os.listdir(a)):
                if os.path.splitext(name)[1].lower() in EXTENSIONS:
                    yield os.path.join(a, name)
        else:
            yield a


def main():
    p = argparse.ArgumentParser()
    p.add_argument("job", choices=["thumbnail", "resize-gray"])
    p.add_argument("inputs", nargs="+")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--size", default="256")
    p.add_argument("--quality", type=int, default=85)
    p.add_argument("--format", default="jpg")
    p.add_argument("-j", "--workers", type=int, default=None)
    a = p.parse_args()
    os.makedirs(a.output, exist_ok=True)
    files = sorted(inputs(a.inputs), key=lambda f: -os.path.getsize(f))  # largest first, as imgpool
    with ProcessPoolExecutor(max_workers=a.workers) as ex:
        if a.job == "thumbnail":
            futures = [ex.submit(thumbnail, f, a.output, int(a.size), a.quality, "." + a.format) for f in files]
        else:
            w, h = (int(v) for v in a.size.split("x"))
            futures = [ex.submit(resize_gray, f, a.output, w, h, a.quality, "." + a.format) for f in files]
        failed = 0
        for fut in futures:
            try:
                fut.result()
            except Exception as e:  # a bad file fails alone, as in imgpool
                failed += 1
                print(f"failed: {e}", file=sys.stderr)
    print(f"{len(files) - failed} processed, {failed} failed")


if __name__ == "__main__":
    main()
