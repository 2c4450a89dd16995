#!/usr/bin/python3
"""Fidelity of thumbnails against a reference, for bench/quality and bench/compare.

    /usr/bin/python3 bench/quality_metrics.py score PAIRS_FILE --json OUT.json [--table] [-j N]
    /usr/bin/python3 bench/quality_metrics.py mean-ssim IN_DIR TOOL=OUT_DIR...

PAIRS_FILE has one "CLASS TOOL INPUT OUTPUT" per line (OUTPUT "-" when the tool wrote none). mean-ssim pairs
each input in IN_DIR with the output of the same stem in each OUT_DIR and prints "TOOL MEAN_SSIM COUNT" lines.

The reference for an output is the input's full-resolution decode (Pillow; EXIF orientation applied; the
embedded ICC profile, or for CMYK Ghostscript's default CMYK profile, converted to sRGB with LittleCMS,
relative colorimetric), downscaled with Lanczos in float (per channel, premultiplied by alpha) to exactly the
output's size, on gamma-encoded values as the tools work. An output is decoded the same way (its own profile,
if it kept one, converted to sRGB). Where the input is translucent: a JPEG output is compared with the
reference flattened on white; a PNG output and the reference are both composited on mid grey.

SSIM: Gaussian window (sigma 1.5, 11 taps), on BT.601 luma; PSNR on RGB; sharpness: mean gradient
magnitude of the output's luma over the reference's (1 = as sharp as Lanczos); ΔE76: mean CIELAB (D65)
distance per pixel, which includes each tool's compression error; ΔE colour: ΔE76 of 8×8 block means, the
colour shift alone (compression noise and edge detail average out within a block, a cast does not); halo (translucent inputs): per pixel where the reference's alpha lies in 1..254 (the edges), the
largest channel error of what is seen — for a JPEG, the output against the reference flattened on white; for
a PNG, the output's colour against the reference's, weighted by the output's alpha — max and mean over edges.
"""
import argparse
import io
import json
import os
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from PIL import Image, ImageCms, ImageOps

CMYK_PROFILE = "/usr/share/color/icc/ghostscript/default_cmyk.icc"
INTENT = ImageCms.Intent.RELATIVE_COLORIMETRIC if hasattr(ImageCms, "Intent") \
    else ImageCms.INTENT_RELATIVE_COLORIMETRIC
_SRGB = ImageCms.createProfile("sRGB")


def load_srgb(path):
    """decodes path to float32 H×W×3 or H×W×4 (alpha 0..255) sRGB values 0..255, orientation applied"""
    with Image.open(path) as im:
        im.load()
        icc = im.info.get("icc_profile")
        im = ImageOps.exif_transpose(im)
        if im.mode == "P":
            im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        elif im.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
            im = im.convert("L")  # bilevel, 16-bit or float grey
        elif im.mode == "LA":
            im = im.convert("RGBA")  # a grey ICC profile on LA is rare; treated as sRGB grey
            icc = None
        alpha = im.getchannel("A") if im.mode == "RGBA" else None
        if im.mode == "CMYK":
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc)) if icc \
                else ImageCms.getOpenProfile(CMYK_PROFILE)
            im = ImageCms.applyTransform(im, ImageCms.buildTransform(src, _SRGB, "CMYK", "RGB", INTENT))
        elif icc:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "L" if im.mode == "L" else "RGB"
            rgb = im if mode == "L" else im.convert("RGB")
            try:
                im = ImageCms.applyTransform(rgb, ImageCms.buildTransform(src, _SRGB, mode, "RGB", INTENT))
            except ImageCms.PyCMSError as e:
                print(f"{path}: profile ignored ({e})", file=sys.stderr)
                im = rgb.convert("RGB")
        else:
            im = im.convert("RGB")
        rgb = np.asarray(im, dtype=np.float32)
        if alpha is None:
            return rgb
        a = np.asarray(alpha, dtype=np.float32)
        return rgb if a.min() == 255 else np.dstack([rgb, a])


def lanczos(full, size):
    """full (float, alpha last if 4 channels) resized to size=(w, h), premultiplied by alpha, in float"""
    def resize(plane):
        return np.asarray(Image.fromarray(np.ascontiguousarray(plane), "F").resize(size, Image.LANCZOS))
    if full.shape[2] == 3:
        return np.dstack([resize(full[..., c]) for c in range(3)])
    a = full[..., 3] / 255
    ra = np.clip(resize(full[..., 3]), 0, 255)
    pre = np.dstack([resize(full[..., c] * a) for c in range(3)])
    colour = np.where(ra[..., None] > 0, pre / np.maximum(ra[..., None] / 255, 1e-6), 0)
    return np.dstack([np.clip(colour, 0, 255), ra])


def composite(img, background):
    """img with alpha (last of 4 channels) over a flat background value; 3-channel img as is"""
    if img.shape[2] == 3:
        return img
    a = img[..., 3:] / 255
    return img[..., :3] * a + background * (1 - a)


def luma(rgb):
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


_G = np.exp(-0.5 * (np.arange(11) - 5) ** 2 / 1.5 ** 2)
_G /= _G.sum()


def _blur(x):
    """separable Gaussian, 'valid' region only (no padding), so edges are not invented"""
    n = len(_G)
    x = sum(_G[k] * x[k:x.shape[0] - n + 1 + k] for k in range(n))
    return sum(_G[k] * x[:, k:x.shape[1] - n + 1 + k] for k in range(n))


def ssim(x, y, peak=255.0):
    """mean SSIM (Wang et al. 2004, Gaussian window) of two 2-D float arrays"""
    if min(x.shape) < len(_G):
        return float("nan")
    x, y = x.astype(np.float64), y.astype(np.float64)
    c1, c2 = (0.01 * peak) ** 2, (0.03 * peak) ** 2
    mx, my = _blur(x), _blur(y)
    sxx = _blur(x * x) - mx * mx
    syy = _blur(y * y) - my * my
    sxy = _blur(x * y) - mx * my
    m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(m.mean())


def psnr(x, y):
    mse = float(np.mean((x.astype(np.float64) - y) ** 2))
    return 99.0 if mse < 1e-10 else 10 * np.log10(255.0 ** 2 / mse)


def gradient(y):
    """mean gradient magnitude (central differences) of a 2-D array"""
    gx = (y[1:-1, 2:] - y[1:-1, :-2]) / 2
    gy = (y[2:, 1:-1] - y[:-2, 1:-1]) / 2
    return float(np.mean(np.hypot(gx, gy)))


def lab(rgb):
    """sRGB 0..255 to CIELAB, D65"""
    c = np.clip(rgb / 255.0, 0, 1)
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.dstack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])])


def block_means(rgb, n=8):
    """the mean of each whole n×n block of an H×W×3 array"""
    h, w = rgb.shape[0] // n * n, rgb.shape[1] // n * n
    return rgb[:h, :w].reshape(h // n, n, w // n, n, -1).mean(axis=(1, 3))


def background_name(out_rgb, transparent):
    """what the output shows where the reference is fully transparent"""
    if not transparent.any():
        return "-"
    m = out_rgb[transparent].mean(axis=0)
    return "white" if m.min() > 240 else "black" if m.max() < 15 else "colour"


def score(full, out_path):
    """the metrics of one output against the full-resolution decode of its input"""
    out = load_srgb(out_path)
    h, w = out.shape[:2]
    ref = lanczos(full, (w, h))
    r = {"bytes": os.path.getsize(out_path), "w": w, "h": h}
    if ref.shape[2] == 4:  # translucent input
        edges = (ref[..., 3] >= 1) & (ref[..., 3] <= 254)
        if out.shape[2] == 4:
            ref_seen, out_seen = composite(ref, 128.0), composite(out, 128.0)
            diff = np.abs(out[..., :3] - ref[..., :3]).max(axis=2) * out[..., 3] / 255
            r["background"] = "alpha"
        else:
            ref_seen, out_seen = composite(ref, 255.0), out
            diff = np.abs(out - ref_seen).max(axis=2)
            r["background"] = background_name(out, ref[..., 3] < 0.5)
        r["halo_max"] = float(diff[edges].max()) if edges.any() else 0.0
        r["halo_mean"] = float(diff[edges].mean()) if edges.any() else 0.0
    else:
        ref_seen, out_seen = ref, composite(out, 0.0)  # an opaque input's PNG: alpha is all 255 anyway
    ref_seen = np.clip(ref_seen, 0, 255)
    r["ssim"] = ssim(luma(out_seen), luma(ref_seen))
    r["psnr"] = psnr(out_seen, ref_seen)
    g = gradient(luma(ref_seen))
    r["sharpness"] = gradient(luma(out_seen)) / g if g > 0.5 else float("nan")  # flat: no ratio
    r["delta_e"] = float(np.mean(np.linalg.norm(lab(out_seen) - lab(ref_seen), axis=2)))
    r["delta_e_colour"] = float(np.mean(np.linalg.norm(lab(block_means(out_seen)) - lab(block_means(ref_seen)),
                                                       axis=2)))
    return r


def score_input(item):
    """all the outputs of one input: [(cls, tool, output), ...] -> list of records"""
    path, outputs = item
    try:
        full = load_srgb(path)
    except Exception as e:
        return [dict(cls=c, tool=t, input=path, output=o, error=f"reference: {e}") for c, t, o in outputs]
    records = []
    for cls, tool, out in outputs:
        rec = dict(cls=cls, tool=tool, input=path, output=out)
        if out == "-" or not os.path.exists(out):
            rec["error"] = "no output"
        else:
            try:
                rec.update(score(full, out))
            except Exception as e:
                rec["error"] = f"{type(e).__name__}: {e}"
        records.append(rec)
    return records


def score_all(triples, workers=None):
    """(cls, tool, input, output) tuples -> records, each input decoded once, inputs in parallel"""
    by_input = {}
    for cls, tool, inp, out in triples:
        by_input.setdefault(inp, []).append((cls, tool, out))
    items = sorted(by_input.items(), key=lambda kv: -os.path.getsize(kv[0]))  # largest first
    with ProcessPoolExecutor(max_workers=workers) as ex:
        return [r for recs in ex.map(score_input, items) for r in recs]


COLUMNS = [("ssim", "SSIM", "{:.4f}"), ("psnr", "PSNR", "{:.2f}"), ("sharpness", "sharp", "{:.3f}"),
           ("delta_e", "ΔE76", "{:.2f}"), ("delta_e_colour", "ΔE colour", "{:.2f}"), ("halo_max", "halo max", "{:.1f}"),
           ("halo_mean", "halo mean", "{:.2f}"), ("bytes", "kB", "{:.1f}")]


def summarise(records):
    """(cls, tool) -> means over the outputs that scored, plus counts and the usual background"""
    groups = {}
    for r in records:
        groups.setdefault((r["cls"], r["tool"]), []).append(r)
    rows = {}
    for key, recs in groups.items():
        ok = [r for r in recs if "error" not in r]
        row = {"files": len(recs), "failed": len(recs) - len(ok)}
        for k, _, _ in COLUMNS:
            vals = [r[k] for r in ok if k in r and not np.isnan(r[k])]
            if vals:
                row[k] = statistics.fmean(vals) / (1000 if k == "bytes" else 1)
        bgs = [r["background"] for r in ok if "background" in r]
        if bgs:
            row["background"] = max(set(bgs), key=bgs.count)
        rows[key] = row
    return rows


def print_table(rows, class_order):
    tools = sorted({t for _, t in rows})
    head = f"{'class':<18}{'tool':<15}{'n':>4}" + "".join(f"{h:>10}" for _, h, _ in COLUMNS) + f"{'behind':>8}"
    print(head)
    for cls in class_order:
        for t in tools:
            row = rows.get((cls, t))
            if row is None:
                continue
            n = f"{row['files'] - row['failed']}" + (f"/{row['files']}" if row["failed"] else "")
            cells = "".join(f"{fmt.format(row[k]) if k in row else '-':>10}" for k, _, fmt in COLUMNS)
            print(f"{cls:<18}{t:<15}{n:>4}{cells}{row.get('background', ''):>8}")
    print()
    print("SSIM by class (luma, vs a float Lanczos downscale of the full-resolution decode, in sRGB):")
    print(f"{'tool':<15}" + "".join(f"{c:>17}" for c in class_order))
    for t in tools:
        print(f"{t:<15}" + "".join(f"{rows[(c, t)]['ssim']:>17.4f}" if 'ssim' in rows.get((c, t), {})
                                   else f"{'-':>17}" for c in class_order))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("score")
    s.add_argument("pairs")
    s.add_argument("--json")
    s.add_argument("--table", action="store_true")
    s.add_argument("-j", "--workers", type=int)
    m = sub.add_parser("mean-ssim")
    m.add_argument("inputs")
    m.add_argument("outputs", nargs="+", help="TOOL=DIR")
    m.add_argument("-j", "--workers", type=int)
    a = p.parse_args()
    if a.cmd == "score":
        triples = [tuple(line.split(" ", 3)) for line in open(a.pairs).read().splitlines() if line]
        records = score_all(triples, a.workers)
        for r in records:
            if "error" in r:
                print(f"{r['tool']}: {os.path.basename(r['input'])}: {r['error']}", file=sys.stderr)
        classes = list(dict.fromkeys(t[0] for t in triples))
        rows = summarise(records)
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"summary": [dict(cls=c, tool=t, **v) for (c, t), v in rows.items()],
                           "files": records}, f, indent=1)
        if a.table:
            print_table(rows, classes)
    else:
        inputs = sorted(os.path.join(a.inputs, n) for n in os.listdir(a.inputs))
        triples = []
        for spec in a.outputs:
            tool, out_dir = spec.split("=", 1)
            outs = {os.path.splitext(n)[0]: os.path.join(out_dir, n) for n in os.listdir(out_dir)}
            for i in inputs:
                triples.append(("all", tool, i, outs.get(os.path.splitext(os.path.basename(i))[0], "-")))
        rows = summarise(score_all(triples, a.workers))
        for (_, tool), row in sorted(rows.items()):
            print(tool, f"{row.get('ssim', float('nan')):.4f}", row["files"] - row["failed"])


if __name__ == "__main__":
    main()
