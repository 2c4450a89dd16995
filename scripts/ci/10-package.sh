#!/usr/bin/env bash
# Packaging check: installs the normal build to a temporary prefix, then builds against it what an
# application would: the find_package consumer in tests/packaging (one program per umbrella header),
# the same sources through pkg-config, and examples/embed, which it runs on sample_images (outputs,
# their sizes, --cancel-after and SIGINT). Last, the add_subdirectory consumer (tests/app must be off).
# Env: IMGPOOL_BUILD (default build), IMGPOOL_JOBS (default nproc).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=${IMGPOOL_BUILD:-build}
jobs=${IMGPOOL_JOBS:-$(nproc)}
[ -f "$build/CMakeCache.txt" ] || { echo "10-package: no configured build in $build" >&2; exit 1; }
work=$(mktemp -d /tmp/imgpool-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "10-package: FAILED: $*" >&2; exit 1; }
step() { echo "-- $* ($(( SECONDS ))s)"; }

step "install $build to a temporary prefix"
cmake --build "$build" -j"$jobs" >/dev/null
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
config=$(find "$prefix" -name imgpoolConfig.cmake)
[ -n "$config" ] || fail "no imgpoolConfig.cmake installed"
for f in imgpoolConfigVersion.cmake imgpoolTargets.cmake; do [ -f "$(dirname "$config")/$f" ] || fail "no $f"; done
for h in imgpool/pool.hpp imgpool/core.hpp imgpool/core/batch/memory_batch.hpp imgpool/core/worker/file_job_kinds.hpp imgpool/pool/detail/future_state.hpp; do
  [ -f "$prefix/include/$h" ] || fail "header $h not installed"
done
pcdir=$(dirname "$(find "$prefix" -name imgpool-core.pc)")
[ -f "$pcdir/imgpool-pool.pc" ] || fail "no imgpool-pool.pc"

step "find_package consumer"
cmake -S tests/packaging -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" >"$work/consumer.log" 2>&1 ||
  { cat "$work/consumer.log"; fail "configuring the find_package consumer"; }
grep -q "found imgpool" "$work/consumer.log" || fail "consumer did not report the package"
cmake --build "$work/consumer" -j"$jobs" >"$work/consumer-build.log" 2>&1 ||
  { cat "$work/consumer-build.log"; fail "building the find_package consumer"; }
timeout 60 "$work/consumer/pool_consumer"
timeout 60 "$work/consumer/core_consumer"

step "pkg-config consumer"
export PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
[ "$(pkg-config --modversion imgpool-core)" = "$(sed -n 's/^set(PACKAGE_VERSION "\(.*\)")/\1/p' "$(dirname "$config")/imgpoolConfigVersion.cmake")" ] ||
  fail "pkg-config and CMake disagree on the version"
# (opencv4.pc gives -I, not -isystem, so OpenCV's own warnings are kept out of the log unless it fails)
# shellcheck disable=SC2046
g++ -std=c++20 -o "$work/pc_pool" tests/packaging/pool_consumer.cpp $(pkg-config --cflags --libs imgpool-pool) \
  >"$work/pc.log" 2>&1 || { cat "$work/pc.log"; fail "building against imgpool-pool.pc"; }
# shellcheck disable=SC2046
g++ -std=c++20 -o "$work/pc_core" tests/packaging/core_consumer.cpp tests/packaging/memory_batch_header.cpp \
  $(pkg-config --cflags --libs imgpool-core) >"$work/pc.log" 2>&1 || { cat "$work/pc.log"; fail "building against imgpool-core.pc"; }
timeout 60 "$work/pc_pool"
timeout 60 "$work/pc_core"

step "examples/embed against the install"
cmake -S examples/embed -B "$work/embed" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/embed" -j"$jobs" >/dev/null
embed=$work/embed/embed
mapfile -t images < <(find "$root/sample_images" -maxdepth 1 -type f \( -name '*.jpg' -o -name '*.png' -o -name '*.webp' \) | sort)
mkdir "$work/run" && cd "$work/run"
timeout 120 "$embed" --size 64 "${images[@]}" >embed.out || fail "embed exited with $?"
[ "$(grep -c -- ' -> ' embed.out)" -eq "${#images[@]}" ] || { cat embed.out; fail "embed did not report every image"; }
for image in "${images[@]}"; do
  name=$(basename "$image"); stem=${name%.*}; ext=${name##*.}
  out=$stem.thumb.$ext
  [ -s "$out" ] || fail "no output $out"
  # the size embed reports fits the 64x64 box, with one side exactly 64 unless the image is smaller
  # (thumbnails never enlarge; sample_images/tiny-* are)
  size=$(grep -F -- "-> $out (" embed.out | sed 's/.*(\([0-9]*\)x\([0-9]*\),.*/\1 \2/')
  read -r w h <<<"$size"
  { [ "$w" -le 64 ] && [ "$h" -le 64 ] && { [ "$w" -eq 64 ] || [ "$h" -eq 64 ] || [[ $name == tiny-* ]]; }; } ||
    fail "$out is ${w}x$h"
  # an independent look: file(1) reads the output's header; its size must be the one embed reported
  dims=$(file -b "$out" | grep -Eo '(, [0-9]+ ?x ?[0-9]+,)' | head -1 | tr -d ' ,') || true
  [ -z "$dims" ] || [ "$dims" = "${w}x$h" ] || fail "file(1) says $out is $dims, embed said ${w}x$h"
  [ -n "$dims" ] || [ "$ext" = webp ] || fail "file(1) cannot size $out: $(file -b "$out")"
done

step "embed --cancel-after 2 with one worker"
rm -f ./*.thumb.*
status=0
timeout 60 "$embed" --workers 1 --cancel-after 2 --size 64 "${images[@]}" >cancel.out 2>cancel.err || status=$?
[ "$status" -eq 130 ] || { cat cancel.out cancel.err; fail "embed --cancel-after exited with $status, not 130"; }
written=$(find . -name '*.thumb.*' | wc -l)
[ "$written" -eq 2 ] || fail "embed --cancel-after 2 wrote $written images"
grep -q "2 written, 0 failed, $(( ${#images[@]} - 2 )) cancelled" cancel.err || { cat cancel.err; fail "cancel summary"; }

step "embed stops on SIGINT"
rm -f ./*.thumb.*
many=(); for _ in $(seq 30); do many+=("${images[@]}"); done
"$embed" --workers 1 --size 64 "${many[@]}" >sigint.out 2>sigint.err &
pid=$!
for _ in $(seq 200); do grep -q ' -> ' sigint.out 2>/dev/null && break; sleep 0.05; done
kill -INT "$pid"
status=0
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; fail "embed did not stop within 10 s of SIGINT"; }
wait "$pid" || status=$?
[ "$status" -eq 130 ] || { cat sigint.err; fail "embed exited with $status after SIGINT, not 130"; }
grep -Eq "[0-9]+ written, 0 failed, [1-9][0-9]* cancelled" sigint.err || { cat sigint.err; fail "SIGINT summary"; }
cd "$root"

step "add_subdirectory consumer"
cmake -S tests/packaging -B "$work/subdir" -DIMGPOOL_SOURCE_DIR="$root" >"$work/subdir.log" 2>&1 ||
  { cat "$work/subdir.log"; fail "configuring the add_subdirectory consumer"; }
cmake --build "$work/subdir" -j"$jobs" >"$work/subdir-build.log" 2>&1 ||
  { tail -50 "$work/subdir-build.log"; fail "building the add_subdirectory consumer"; }
timeout 60 "$work/subdir/pool_consumer"
timeout 60 "$work/subdir/core_consumer"
step "packaging ok"
