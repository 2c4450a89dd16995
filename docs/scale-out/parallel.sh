#!/bin/bash
# N imgpool shards through GNU parallel, on this machine or across machines over ssh.
#
#   docs/scale-out/parallel.sh INPUT OUTPUT REPORTS [SUBCOMMAND OPTIONS...]
#
#   SHARDS=8                 the shard count (default 4)
#   HOSTS=node1,node2        ssh logins to run on (default ":", this machine only); INPUT, OUTPUT and
#                            REPORTS must then be the same paths on every host (a shared file system)
#   JOBS_PER_HOST=1          shards at once on each host (imgpool already uses every core of a host)
#   IMGPOOL=imgpool          the binary (on each host's PATH, or an absolute path valid on all of them)
#
# SUBCOMMAND OPTIONS default to `thumbnail --size 256`. --halt soon,fail=1 stops starting shards after
# a failure; run the script again and the shards skip what is done (--skip-existing). At the end,
# `imgpool report merge` prints one summary and exits non-zero if an input was missed or reported twice.
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: parallel.sh INPUT OUTPUT REPORTS [SUBCOMMAND OPTIONS...]" >&2
  exit 2
fi
input=$1 output=$2 reports=$3
shift 3
[ $# -gt 0 ] || set -- thumbnail --size 256
subcommand=$1
shift
shards=${SHARDS:-4}
imgpool=${IMGPOOL:-imgpool}

mkdir -p "$reports"
rm -f "$reports"/shard-*.jsonl
# -q quotes each argument for the remote shell; {} is the shard index, 0..N-1. Exit status 1 (some
# inputs failed) is a result, not a crash: the merge below reports those inputs.
# shellcheck disable=SC2016  # "$@" and $rc expand in the shell parallel starts, not here
seq 0 $((shards - 1)) | parallel --will-cite -q -S "${HOSTS:-:}" -j "${JOBS_PER_HOST:-1}" --halt soon,fail=1 \
  bash -c '"$@"; rc=$?; [ $rc -le 1 ] || exit $rc' imgpool-shard \
  "$imgpool" "$subcommand" "$input" -o "$output" "$@" --shard "{}/$shards" --skip-existing --progress never \
  --quiet --report "$reports/shard-{}.jsonl" --report-mode replace
exec "$imgpool" report merge "$reports"/shard-*.jsonl
