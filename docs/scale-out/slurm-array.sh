#!/bin/bash
# One imgpool shard per Slurm array task: every task scans the same inputs and keeps its own slice.
#
#   sbatch --array=0-15 docs/scale-out/slurm-array.sh INPUT OUTPUT REPORTS [SUBCOMMAND OPTIONS...]
#   imgpool report merge REPORTS/shard-*.jsonl          # after the array: one summary, gaps flagged
#
# INPUT, OUTPUT and REPORTS must be the same paths on every node (a shared file system). SUBCOMMAND
# OPTIONS default to `thumbnail --size 256`. The shard count is the array's size, so --array=0-15 gives
# 16 shards; to re-run only some tasks of it later, submit `--array=3,7` with IMGPOOL_SHARD_COUNT=16
# exported, so that the task ID is the shard index. A task that is re-run (`scontrol requeue`, a node
# failure with --requeue, a second sbatch) skips the outputs its earlier run finished.
#SBATCH --job-name=imgpool
#SBATCH --cpus-per-task=4
#SBATCH --output=imgpool-%A_%a.log
#SBATCH --requeue
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: sbatch --array=0-N slurm-array.sh INPUT OUTPUT REPORTS [SUBCOMMAND OPTIONS...]" >&2
  exit 2
fi
input=$1 output=$2 reports=$3
shift 3
[ $# -gt 0 ] || set -- thumbnail --size 256
subcommand=$1
shift

mkdir -p "$reports"
# -j: the CPUs Slurm gave the task (imgpool's default also honours the affinity mask and cgroup quota).
exec "${IMGPOOL:-imgpool}" "$subcommand" "$input" -o "$output" "$@" \
  --shard auto --skip-existing --progress never \
  -j "${SLURM_CPUS_PER_TASK:-1}" \
  --report "$reports/shard-${SLURM_ARRAY_TASK_ID}.jsonl" --report-mode replace
