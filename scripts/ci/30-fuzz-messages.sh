#!/usr/bin/env bash
# Fuzzes the process backend's message decoder (pool/src/message.cpp) with libFuzzer for a bounded time
# (IMGPOOL_FUZZ_SECONDS, default 60), starting from the seed corpus in tests/fuzz/corpus. Any crash,
# sanitizer report or round-trip mismatch fails CI and prints the reproducer as hex.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${IMGPOOL_FUZZ_SECONDS:-60}
cxx=$(command -v clang++-14 || command -v clang++ || true)
if [ -z "$cxx" ]; then
  sudo apt-get install -y --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null
  cxx=clang++-14
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
# message.cpp and the target include no <ranges>: clang 14 cannot parse libstdc++ 12's.
"$cxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Ipool/include pool/src/message.cpp tests/fuzz/message_fuzz.cpp -o "$work/message_fuzz"
# New inputs go to the scratch corpus; the seed corpus in the tree is only read.
if ! "$work/message_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
     -artifact_prefix="$work/artifacts/" "$work/corpus" tests/fuzz/corpus; then
  echo "message fuzzer found a failure; reproducer(s):" >&2
  for f in "$work"/artifacts/*; do [ -e "$f" ] && { echo "$f" >&2; od -A d -t x1 "$f" | head -20 >&2; }; done
  exit 1
fi
