#!/usr/bin/env bash
# Scale-out without a cluster: docs/scale-out/parallel.sh with 4 shards on this machine, and the
# Kubernetes Indexed Job manifest's container command run as its pods would run it (JOB_COMPLETION_INDEX
# and IMGPOOL_SHARD_COUNT set, DATA pointing at a scratch folder). Each must process every input exactly
# once (report merge: no duplicates, no missing shard) and give the same files as one unsharded run.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$SECONDS
bin=$(realpath "${IMGPOOL_BUILD:-build}/app/imgpool")
[ -x "$bin" ] || { echo "no imgpool binary at $bin (build first, or set IMGPOOL_BUILD)" >&2; exit 1; }

missing=()
command -v parallel >/dev/null || missing+=(parallel)
python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

echo "-- docs/scale-out.md shows the recipes these checks run, verbatim"
python3 - <<'PY'
import pathlib
doc = pathlib.Path("docs/scale-out.md").read_text()
for recipe in sorted(pathlib.Path("docs/scale-out").iterdir()):
    assert recipe.read_text() in doc, f"docs/scale-out.md does not show {recipe} as it is"
PY

work=$(mktemp -d /tmp/imgpool-shards.XXXXXX)
trap 'rm -rf "$work"' EXIT
for sub in in in/sub; do
  mkdir -p "$work/$sub"
  find sample_images -maxdepth 1 -type f ! -name '*.md' -exec cp {} "$work/$sub/" \;
done
inputs=$(find "$work/in" -type f | wc -l)
args=(thumbnail --size 256 --recursive)
"$bin" "${args[0]}" "$work/in" -o "$work/single" "${args[@]:1}" --quiet

# same_outputs DIR: the same files as the single run's, byte for byte
same_outputs() { diff -r -q "$work/single" "$1"; }
# merged_once REPORT...: report merge says every input was processed exactly once
merged_once() {
  "$bin" report merge --json "$@" > "$work/merged.json" || { cat "$work/merged.json"; return 1; }
  python3 - "$work/merged.json" "$inputs" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); n = int(sys.argv[2])
assert m["complete"] and not m["duplicates"] and not m["missing_shards"], m
assert m["shards"] == 4 and m["processed"] == n and m["inputs"] == n and m["failed"] == 0, m
PY
}

echo "-- GNU parallel, 4 shards on this machine"
timeout 300 env SHARDS=4 JOBS_PER_HOST=4 IMGPOOL="$bin" \
  docs/scale-out/parallel.sh "$work/in" "$work/parallel" "$work/parallel-reports" "${args[@]}"
merged_once "$work/parallel-reports"/shard-*.jsonl
same_outputs "$work/parallel"
# run again: every shard finds its outputs done and redoes nothing
timeout 300 env SHARDS=4 JOBS_PER_HOST=4 IMGPOOL="$bin" \
  docs/scale-out/parallel.sh "$work/in" "$work/parallel" "$work/parallel-reports" "${args[@]}" >/dev/null
"$bin" report merge --json "$work/parallel-reports"/shard-*.jsonl |
  python3 -c "import json,sys; m=json.load(sys.stdin); assert m['skipped']==$inputs and m['processed']==0, m"

echo "-- Kubernetes Indexed Job, its 4 pods' commands"
manifest=docs/scale-out/k8s-indexed-job.yaml
read -r completions shard_count < <(python3 - "$manifest" "$work/pod.sh" <<'PY'
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
spec = job["spec"]
assert job["kind"] == "Job" and spec["completionMode"] == "Indexed", "not an Indexed Job"
container = spec["template"]["spec"]["containers"][0]
env = {e["name"]: e["value"] for e in container["env"]}
assert container["command"] == ["/bin/sh", "-c"], container["command"]
open(sys.argv[2], "w").write(container["args"][0])
print(spec["completions"], env["IMGPOOL_SHARD_COUNT"])
PY
)
if [ "$completions" != 4 ] || [ "$shard_count" != 4 ]; then
  echo "the manifest has completions $completions, IMGPOOL_SHARD_COUNT $shard_count; both should be 4" >&2
  exit 1
fi
mkdir -p "$work/data"
cp -r "$work/in" "$work/data/in"
pids=()
for index in $(seq 0 $((completions - 1))); do
  env -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_MIN -u SLURM_ARRAY_TASK_MAX -u SLURM_ARRAY_TASK_COUNT \
    JOB_COMPLETION_INDEX="$index" IMGPOOL_SHARD_COUNT="$shard_count" DATA="$work/data" \
    PATH="$(dirname "$bin"):$PATH" timeout 300 sh -c "$(cat "$work/pod.sh")" >/dev/null &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
merged_once "$work/data/reports"/shard-*.jsonl
same_outputs "$work/data/out"

echo "ok: $inputs inputs, each processed once by GNU parallel and by the Indexed Job's pods ($((SECONDS - start)) s)"
