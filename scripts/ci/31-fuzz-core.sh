#!/usr/bin/env bash
# Fuzzes core's untrusted-input parsers with libFuzzer, each for a bounded time (IMGPOOL_FUZZ_SECONDS,
# default 45), from the seed corpora kept in the tree:
#   spec_fuzz    the pipeline-spec parser (core/src/ops/)                            tests/fuzz/corpus-spec
#   header_fuzz  read_header, read_metadata, EXIF orientation, plan_shrink_on_load  tests/fuzz/corpus-header
#                (core/src/codec/)
# Any crash, sanitizer report, broken invariant (abort) or uncaught exception fails CI and prints the
# reproducer as hex. Run one target only with IMGPOOL_FUZZ_TARGETS="spec" (or "header").
#
# clang 14 cannot parse libstdc++ 12's <ranges>. The sources compiled here (and the core and OpenCV
# headers they include) use none, so clang builds them directly with the sanitizers and links the
# system OpenCV, TurboJPEG, libjpeg, libwebp, libspng and fmt, which are not instrumented.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${IMGPOOL_FUZZ_SECONDS:-45}
targets=${IMGPOOL_FUZZ_TARGETS:-spec header}
cxx=$(command -v clang++-14 || command -v clang++ || true)
if [ -z "$cxx" ]; then
  sudo apt-get install -y --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null
  cxx=clang++-14
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -Ipool/include -Icore/include -Icore/src -I/usr/include/opencv4 -Wno-deprecated-enum-enum-conversion
       -DIMGPOOL_DEFAULT_CASCADE_DIR='"/usr/share/opencv4/haarcascades"'
       -DIMGPOOL_OPENCV_IMGCODECS='"libopencv_imgcodecs.so.406"')
libs=(-lopencv_imgproc -lopencv_objdetect -lopencv_core -lturbojpeg -ljpeg -lwebpdemux -lwebpmux -lwebp -lspng -llcms2 -lexiv2 -ltiff -lfmt -ldl)
# Each target links the whole room it fuzzes (core/src/ROOM/*.cpp), so files can move within a room.
declare -A sources=(
  [spec]="$(echo core/src/ops/*.cpp)"
  [header]="$(echo core/src/codec/*.cpp)"
)

failed=0
for target in $targets; do
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
  # shellcheck disable=SC2086  # the source lists are word lists
  "$cxx" "${flags[@]}" ${sources[$target]} "tests/fuzz/${target}_fuzz.cpp" "${libs[@]}" -o "$work/$target/fuzz"
  # New inputs go to the scratch corpus; the seed corpus in the tree is only read.
  if ! "$work/$target/fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$work/$target/artifacts/" "$work/$target/corpus" "tests/fuzz/corpus-$target"; then
    echo "$target fuzzer found a failure; reproducer(s):" >&2
    for f in "$work/$target"/artifacts/*; do [ -e "$f" ] && { echo "$f" >&2; od -A d -t x1 "$f" | head -20 >&2; }; done
    failed=1
  fi
done
exit "$failed"
