#!/usr/bin/env bash
# Regenerates the differential decode set: small files of the kinds decoders get wrong while reporting
# success (16-bit planar and palette TIFFs, unassociated alpha, OS/2 BMP, >8-bit JPEG 2000 and PNM, ...),
# each with NAME.ref.png, its pixels as decoded by an independent decoder (ImageMagick, with the
# orientation applied). Needs imagemagick, libtiff-tools and libopenjp2-tools; the outputs are committed.
set -euo pipefail
cd "$(dirname "$0")"
rm -f ./*.tif ./*.bmp ./*.jp2 ./*.ppm ./*.pgm ./*.ref.png
base=$(mktemp --suffix=.png)
trap 'rm -f "$base"' EXIT
convert ../photo.jpg -resize 80x54 "$base"
alpha=(-alpha set -channel A -fx "i/w" +channel)
convert "$base" -depth 16 -interlace Plane -compress zip rgb16-planar.tif
convert "$base" -depth 16 "${alpha[@]}" -define tiff:alpha=unassociated rgba16-unassociated.tif
convert "$base" "${alpha[@]}" -define tiff:alpha=unassociated rgba-unassociated.tif
convert "$base" "${alpha[@]}" -define tiff:alpha=associated rgba-associated.tif
convert "$base" -colors 2 -type Palette -depth 1 palette1.tif
convert "$base" -colors 16 -type Palette -depth 4 palette4.tif
convert "$base" -colorspace gray -depth 16 -interlace Plane gray16.tif
convert "$base" -colorspace gray -negate -define tiff:photometric=min-is-white min-is-white.tif
convert "$base" -monochrome bilevel.tif
convert "$base" -compress lzw -define tiff:tile-geometry=32x32 tiled-lzw.tif
convert "$base" -compress jpeg -quality 90 jpeg-compressed.tif
convert "$base" -colorspace CMYK cmyk.tif
convert "$base" -depth 32 -define quantum:format=floating-point float.tif
convert "$base" oriented6.tif && tiffset -s 274 6 oriented6.tif
convert "$base" -colors 16 -type Palette -define bmp:format=bmp2 os2-palette.bmp
convert "$base" -colors 16 -type Palette bmp3:palette.bmp
convert "$base" -compress RLE -colors 200 rle8.bmp
convert "$base" "${alpha[@]}" -define bmp:format=bmp4 bgra.bmp
convert "$base" -depth 9 jpeg2000-9bit.jp2
convert "$base" -depth 10 pnm-10bit.ppm
convert "$base" -colorspace gray -depth 16 gray16.pgm
for f in *.tif *.bmp *.jp2 *.ppm *.pgm; do
  convert "$f" -auto-orient -depth 8 "PNG32:$f.ref.png"
done
