#!/usr/bin/env bash
# Checks the include rules of docs/architecture.md: each room of core/ includes only the rooms below it,
# pool/ knows nothing of images, and app/ uses public headers only. Prints every offending line; exits 1
# if there is one. Run by ctest (layout.rooms_include_only_what_they_may).
set -euo pipefail
cd "$(dirname "$0")/.."

# room -> the rooms (of core/, plus "error" and "pool") its files may include
declare -A allowed=(
  [codec]="codec error"
  [ops]="ops error"
  [job]="job codec ops error"
  [worker]="worker job codec ops error pool"
  [batch]="batch worker job codec ops error pool"
)
bad=0
report() { echo "$1: includes $2 (docs/architecture.md: $3)"; bad=1; }

for room in "${!allowed[@]}"; do
  while IFS= read -r hit; do
    file=${hit%%:*}
    inc=$(sed -E 's/.*#include [<"]([^>"]+)[>"].*/\1/' <<<"${hit#*:}")
    case $inc in
      imgpool/core/error.hpp) target=error ;;
      imgpool/core/*/*) target=$(cut -d/ -f3 <<<"$inc") ;;
      imgpool/pool/*) target=pool ;;
      imgpool/*) target=umbrella ;;
      */*) target=${inc%%/*} ;;  # an internal header of core/src: "room/name.hpp"
      *) continue ;;             # a system or third-party header
    esac
    [[ " ${allowed[$room]} " == *" $target "* ]] || report "$file" "$inc" "$room may include ${allowed[$room]}"
  done < <(grep -Hn '#include' "core/src/$room" "core/include/imgpool/core/$room" -r | sed -E 's/^([^:]+):[0-9]+:/\1:/' |
           grep -E '#include [<"](imgpool/|[a-z_]+/[a-z_]+\.hpp)' || true)
done

# pool/ depends on TBB and the standard library only
grep -rnE '#include [<"](imgpool/core|opencv2)' pool/ && { echo "pool/ must not include core/ or OpenCV"; bad=1; }
# app/, examples/ and bench/ use core's public headers only
grep -rnE '#include "(codec|ops|job|batch|worker)/' app/ examples/ bench/ && { echo "only core/ includes core/src"; bad=1; }
exit "$bad"
