#!/usr/bin/env bash
# Scale-out on a real Slurm cluster: a one-node cluster on this machine (munged, slurmctld, slurmd with
# their own socket, ports and state under a scratch folder), then docs/scale-out/slurm-array.sh submitted
# with `sbatch --array=0-3 --wait` over copies of sample_images/. Every input must be processed exactly
# once (report merge: no duplicates, no missing shard, processed == inputs), the outputs must equal one
# unsharded run's, and submitting the array again must redo nothing. The daemons are stopped and the
# scratch folder removed on every exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$SECONDS
repo=$PWD
bin=$(realpath "${IMGPOOL_BUILD:-build}/app/imgpool")
[ -x "$bin" ] || { echo "no imgpool binary at $bin (build first, or set IMGPOOL_BUILD)" >&2; exit 1; }

missing=()
for pkg in slurmctld slurmd slurm-client munge; do
  dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "-- installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { timeout 300 apt-get update -qq && timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

work=$(mktemp -d /tmp/imgpool-slurm.XXXXXX)
chmod 755 "$work"
export SLURM_CONF=$work/etc/slurm.conf
stop_daemons() {
  local rc=$?
  set +e
  if [ -S "$work/munge/munge.sock" ] && squeue -h -n imgpool 2>/dev/null | grep -q .; then
    scancel --quiet --name=imgpool
    for _ in $(seq 50); do squeue -h -n imgpool 2>/dev/null | grep -q . || break; sleep 0.1; done
  fi
  for daemon in slurmd slurmctld munged; do
    local pidfile=$work/$daemon.pid
    [ "$daemon" = munged ] && pidfile=$work/munge/munged.pid
    [ -s "$pidfile" ] || continue
    local pid
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  if [ "$rc" -ne 0 ]; then
    for log in "$work"/slurmctld.log "$work"/slurmd.log "$work"/logs/*; do
      [ -f "$log" ] && { echo "---- $log"; tail -n 30 "$log"; }
    done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap stop_daemons EXIT

# munged as the munge user, on its own key and socket so that a munged already running is left alone
mkdir -p "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$work/munge"
chmod 700 "$work/munge"
chmod 400 "$work/munge/munge.key"
runuser -u munge -- munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.sock" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"
for _ in $(seq 100); do [ -S "$work/munge/munge.sock" ] && break; sleep 0.1; done

host=$(hostname)
port=$((20000 + RANDOM % 20000))
mkdir -p "$work/etc" "$work/state" "$work/spool" "$work/logs"
cat > "$SLURM_CONF" <<CONF
ClusterName=imgpoolci
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.sock
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=30 State=UP
CONF
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
echo "-- waiting for node $host"
for _ in $(seq 120); do
  state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
  case "$state" in idle*|mix*|alloc*) break ;; esac
  sleep 0.5
done
[[ "$state" =~ ^(idle|mix|alloc) ]] || { echo "the node never came up (state: '${state:-none}')" >&2; exit 1; }
echo "   node up after $((SECONDS - start)) s"

for sub in in in/sub; do
  mkdir -p "$work/$sub"
  find sample_images -maxdepth 1 -type f ! -name '*.md' -exec cp {} "$work/$sub/" \;
done
inputs=$(find "$work/in" -type f | wc -l)
args=(thumbnail --size 256 --recursive)
"$bin" "${args[0]}" "$work/in" -o "$work/single" "${args[@]:1}" --quiet

submit() {
  # one CPU a task so that the four fit this node whatever its size; the script asks for more by default
  (cd "$work" && IMGPOOL="$bin" timeout 300 sbatch --array=0-3 --cpus-per-task=1 --wait --quiet \
    --output="$work/logs/%A_%a.log" "$repo/docs/scale-out/slurm-array.sh" \
    "$work/in" "$work/out" "$work/reports" "${args[@]}")
}
echo "-- sbatch --array=0-3 --wait"
submit
"$bin" report merge --json "$work/reports"/shard-*.jsonl > "$work/merged.json" || { cat "$work/merged.json"; exit 1; }
python3 - "$work/merged.json" "$inputs" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); n = int(sys.argv[2])
assert m["complete"] and not m["duplicates"] and not m["missing_shards"], m
assert m["shards"] == 4 and m["reports"] == 4 and m["processed"] == n and m["inputs"] == n and m["failed"] == 0, m
PY
diff -r -q "$work/single" "$work/out"  # the same files, byte for byte

echo "-- the same array again: every task skips what is done"
submit
"$bin" report merge --json "$work/reports"/shard-*.jsonl |
  python3 -c "import json,sys; m=json.load(sys.stdin); assert m['complete'] and m['skipped']==$inputs and m['processed']==0, m"

echo "ok: $inputs inputs, each processed once by a 4-task Slurm array ($((SECONDS - start)) s)"
