#!/usr/bin/python3
# Rebuilds sample_images/ (byte-identical) from a corpus made by ../shared/corpus/photos.sh (Debian's
# mate-backgrounds, gnome-backgrounds) and scikit-image's astronaut.png (Debian's python3-skimage, extracted
# with `apt-get download python3-skimage && dpkg -x python3-skimage_*.deb ROOT`).
# Usage: /usr/bin/python3 scripts/make_sample_images.py CORPUS_DIR SKIMAGE_ROOT   (needs python3-pil)
import os, io, sys
from PIL import Image, ImageOps
C = sys.argv[1]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'sample_images')
AST = sys.argv[2] + '/usr/lib/python3/dist-packages/skimage/data/astronaut.png'
os.makedirs(OUT, exist_ok=True)
src = {
 'Elephants_5640x3172': 'jpg/14bfe5a78f.jpg', 'LadyBird': 'jpg/32268be432.jpg', 'Dune': 'jpg/c56a7b8ac1.jpg',
 'TwoWings': 'jpg/b627e9c299.jpg', 'Storm': 'jpg/7f3abd21e0.jpg',
 'RainDrops': 'jpg/ab77b2ceef.jpg', 'Aqua': 'jpg/bb9d83532a.jpg', 'Gulp': 'png/f0ecfd1780.png',
 'Cold': 'png/c4a9236605.png', 'pixels-l': 'webp/a4dfaba331.webp', 'wood-l': 'webp/5eee20e5e1.webp',
 'FreshFlower': 'jpg/3a94856c33.jpg', 'YellowFlower': 'jpg/b6167ae420.jpg', 'GreenMeadow': 'jpg/a39f784809.jpg',
 'Wood': 'jpg/efe68ac157.jpg', 'Flow': 'png/8ac7a6bc83.png', 'Blinds': 'jpg/aa8c959b44.jpg',
 'Float': 'png/d3b259c404.png', 'Garden': 'jpg/4164703bd7.jpg',
}
def load(k):
    im = Image.open(os.path.join(C, src[k])); im.load()
    return im
def rs(im, w, h):
    return im.resize((w, h), Image.LANCZOS, reducing_gap=3.0)
def jpg(im, name, q=88):
    im.save(os.path.join(OUT, name), 'JPEG', quality=q, optimize=True, comment=b'')  # no EXIF, no comment
def png(im, name):
    im.save(os.path.join(OUT, name), 'PNG', optimize=True, icc_profile=None)  # drops the sources' 'known incorrect sRGB' iCCP

jpg(rs(load('Elephants_5640x3172'), 2400, 1350), 'landscape-elephants.jpg')
jpg(rs(load('LadyBird'), 2048, 1280), 'landscape-ladybird.jpg')
jpg(rs(load('Dune'), 1600, 1000), 'landscape-dune.jpg')
jpg(rs(load('TwoWings'), 1920, 1200), 'landscape-twowings.jpg')
jpg(load('Storm').crop((0, 480, 1920, 1120)), 'panorama-storm.jpg')            # 3:1 band, not rescaled
jpg(load('YellowFlower').crop((1560, 0, 2560, 1600)), 'portrait-yellowflower.jpg')        # 5:8 crop, not rescaled

# EXIF orientation 6 ("rotate 90 degrees clockwise to display"): pixels stored rotated 90 degrees
# counter-clockwise, so an EXIF-aware reader shows the upright 1600x1000 picture.
upright = rs(load('RainDrops'), 1600, 1000)
stored = upright.transpose(Image.ROTATE_90)                                     # PIL ROTATE_90 = counter-clockwise
ex = Image.Exif(); ex[0x0112] = 6
stored.save(os.path.join(OUT, 'exif-rotated-6.jpg'), 'JPEG', quality=88, optimize=True, exif=ex.tobytes())

png(rs(load('Aqua'), 1280, 800).convert('L'), 'grayscale-aqua.png')
png(rs(load('Gulp'), 1440, 900), 'alpha-gulp.png')                            # RGBA, artwork's own alpha
png(rs(load('Cold'), 1440, 960), 'aurora.png')                                # RGB PNG
load('pixels-l').resize((2048, 2048), Image.LANCZOS, reducing_gap=3.0).save(
    os.path.join(OUT, 'square-pixels.webp'), 'WEBP', quality=80, method=4)
load('wood-l').resize((1024, 1024), Image.LANCZOS, reducing_gap=3.0).save(
    os.path.join(OUT, 'lossless-wood.webp'), 'WEBP', lossless=True, quality=100, method=6)

ast = Image.open(AST).convert('RGB')                                          # 512x512, not enlarged
jpg(ast, 'faces-astronaut.jpg', q=90)

# tiny files (32-96 px) for chunking
jpg(rs(load('FreshFlower'), 96, 72), 'tiny-01.jpg')
jpg(rs(ImageOps.fit(load('YellowFlower'), (1600, 1600)), 64, 64), 'tiny-02.jpg')
jpg(rs(load('GreenMeadow').crop((320, 0, 960, 1024)), 40, 64), 'tiny-03.jpg')   # portrait
jpg(rs(ImageOps.fit(load('Wood'), (1920, 1920)), 32, 32), 'tiny-04.jpg')
png(rs(load('Flow'), 96, 60), 'tiny-05.png')                                     # RGBA
png(rs(load('Blinds'), 80, 50).convert('L'), 'tiny-06.png')                      # grayscale
png(rs(load('Float').convert('RGB'), 72, 45), 'tiny-07.png')                     # RGB
png(rs(load('Garden'), 48, 30).quantize(64), 'tiny-08.png')                    # palette (indexed, 64 colours)
