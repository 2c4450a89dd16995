#!/usr/bin/env bash
# Gallery check: builds examples/gallery against an install of the normal build, runs it on a virtual
# X display (Xvfb) with a timeout on sample_images, screenshots its window once the contact sheet is
# complete, and checks that the screenshot is not blank (many colours, most of it not one colour).
# Installs xvfb and x11-apps (xwd) when missing. Keeps the screenshot as
# $IMGPOOL_BUILD/ci-artifacts/gallery-xvfb.png. Env: IMGPOOL_BUILD (default build), IMGPOOL_JOBS.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${IMGPOOL_BUILD:-build}
jobs=${IMGPOOL_JOBS:-$(nproc)}
[ -f "$build/CMakeCache.txt" ] || { echo "11-gallery: no configured build in $build" >&2; exit 1; }
fail() { echo "11-gallery-xvfb: FAILED: $*" >&2; exit 1; }
step() { echo "-- $* ($(( SECONDS ))s)"; }

if ! command -v Xvfb >/dev/null || ! command -v xwd >/dev/null; then
  step "installing xvfb and x11-apps"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends xvfb x11-apps >/dev/null 2>&1 ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends xvfb x11-apps >/dev/null; }
fi

work=$(mktemp -d /tmp/imgpool-gallery.XXXXXX)
xvfb_pid=""
gallery_pid=""
cleanup() {
  [ -z "$gallery_pid" ] || kill "$gallery_pid" 2>/dev/null || true
  [ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step "install $build and build examples/gallery against it"
cmake --build "$build" -j"$jobs" >/dev/null
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S examples/gallery -B "$work/gallery" -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; fail "configuring examples/gallery"; }
cmake --build "$work/gallery" -j"$jobs" >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "building examples/gallery"; }

step "start Xvfb"
# -displayfd: Xvfb picks a free display and writes its number once it accepts clients (no races, no lock guessing)
exec {displayfd}>"$work/display"
Xvfb -displayfd "$displayfd" -screen 0 1280x1024x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
exec {displayfd}>&-
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || { cat "$work/xvfb.log"; fail "Xvfb did not start"; }
export DISPLAY=":$(tr -d '[:space:]' <"$work/display")"

step "run the gallery on $DISPLAY"
# It prints its status line once the batch is over, then stays up 3 s for the screenshot and exits by itself.
QT_QPA_PLATFORM=xcb timeout 60 "$work/gallery/gallery" sample_images --size 96 --cols 7 --workers 2 \
  --exit-after-ms 3000 --save "$work/sheet.png" >"$work/gallery.out" 2>"$work/gallery.err" &
gallery_pid=$!
for _ in $(seq 300); do
  grep -q 'ok' "$work/gallery.out" 2>/dev/null && break
  kill -0 "$gallery_pid" 2>/dev/null || break
  sleep 0.1
done
grep -q 'ok' "$work/gallery.out" || { cat "$work/gallery.out" "$work/gallery.err"; fail "the gallery did not finish its batch"; }
grep -Eq '^21/21  ok 21  failed 0  cancelled 0' "$work/gallery.out" || { cat "$work/gallery.out"; fail "unexpected status"; }
sleep 1  # a few more frames
xwd -display "$DISPLAY" -name "imgpool gallery" -silent >"$work/window.xwd" 2>"$work/xwd.err" ||
  { cat "$work/xwd.err"; fail "no window named 'imgpool gallery' to screenshot"; }
status=0
wait "$gallery_pid" || status=$?
gallery_pid=""
[ "$status" -eq 0 ] || { cat "$work/gallery.err"; fail "the gallery exited with $status"; }

step "check the screenshot"
mkdir -p "$build/ci-artifacts"
python3 - "$work/window.xwd" "$build/ci-artifacts/gallery-xvfb.png" <<'PY'
# Reads an XWD (ZPixmap, 24/32 bits per pixel), writes it as PNG and checks that it is not blank.
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
h = struct.unpack(">25I", data[:100])
header_size, fmt, depth, width, height = h[0], h[2], h[3], h[4], h[5]
byte_order, bpp, bytes_per_line, ncolors = h[7], h[11], h[12], h[19]
masks = h[14:17]
if fmt != 2 or bpp not in (24, 32):
    sys.exit(f"unsupported XWD: format {fmt}, {bpp} bits per pixel")
pixels = data[header_size + 12 * ncolors:]
shifts = [(m & -m).bit_length() - 1 for m in masks]
step = bpp // 8
endian = "little" if byte_order == 0 else "big"
rows, counts = [], {}
for y in range(height):
    line = pixels[y * bytes_per_line:y * bytes_per_line + width * step]
    row = bytearray()
    for x in range(0, width * step, step):
        v = int.from_bytes(line[x:x + step], endian)
        rgb = tuple((v & m) >> s for m, s in zip(masks, shifts))
        row += bytes(rgb)
        counts[rgb] = counts.get(rgb, 0) + 1
    rows.append(b"\0" + bytes(row))
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b"")
open(sys.argv[2], "wb").write(png)
total = width * height
top = max(counts.values()) / total
print(f"screenshot {width}x{height}: {len(counts)} colours, the commonest covers {top:.0%}")
if width < 300 or height < 200:
    sys.exit("window too small")
if len(counts) < 1000 or top > 0.9:
    sys.exit("the window looks blank")
PY
step "gallery ok"
