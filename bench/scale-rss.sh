#!/usr/bin/env bash
# Peak memory of imgpool against the number of input files: makes N copies of one small real JPEG
# (64x64, cut from a sample photo) for each N given, thumbnails them, and prints N, wall seconds and
# peak RSS. Memory should grow far slower than the file count: a run keeps a compact record per file
# (about 100 bytes) and a bounded window of work. Files go to /dev/shm where it is writable.
#
#   bench/scale-rss.sh [--build DIR] [N ...]      (default N: 1000 10000 100000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build="$here/../build"
if [ "${1:-}" = --build ]; then build=$2; shift 2; fi
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 10000 100000)
work=$(mktemp -d -p "$( [ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")")
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$here/../sample_images" "$work/tiny.jpg" <<'PY'
import sys, glob
from PIL import Image
src = sorted(p for p in glob.glob(sys.argv[1] + "/*.jpg"))[0]
with Image.open(src) as im:
    im.convert("RGB").crop((0, 0, 64, 64)).save(sys.argv[2], quality=90)
PY
printf '%8s %9s %12s\n' files wall_s peak_rss_mb
for n in "${counts[@]}"; do
  rm -rf "$work/in" "$work/out" && mkdir "$work/in"
  /usr/bin/python3 -c 'import sys; d = open(sys.argv[1], "rb").read()
for i in range(int(sys.argv[3])): open("%s/t%06d.jpg" % (sys.argv[2], i), "wb").write(d)' "$work/tiny.jpg" "$work/in" "$n"
  /usr/bin/time -f "%e %M" -o "$work/time" "$build/app/imgpool" thumbnail "$work/in" -o "$work/out" --size 32 --quiet
  read -r wall kb < "$work/time"
  printf '%8d %9.2f %12.1f\n' "$n" "$wall" "$(echo "$kb / 1024" | bc -l)"
done
