#!/usr/bin/env bash
# The Slurm scenario (issue 15): on this one machine, installs Debian's slurm-wlm and munge if
# missing, starts a single-node cluster on localhost (munged, slurmctld, slurmd, in a scratch
# directory), trains a tiny model, runs a small sweep once on this machine and once as a 4-task
# job array with a dependent merge job (scripts/slurm/submit.sh), and checks that the merged
# table equals the single-machine one byte for byte. Stops the daemons it started.
#   scripts/slurm/scenario.sh [HFFSIM]      (root; about a minute after the packages)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hffsim=$(realpath "${1:-$here/../../.build/release/hffsim}")
[ -x "$hffsim" ] || { echo "scenario: $hffsim is not an executable (build first: swift build -c release)" >&2; exit 64; }
need=()
command -v slurmctld >/dev/null || need+=(slurm-wlm)
command -v munged >/dev/null || need+=(munge)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
work=$(mktemp -d /tmp/hffsim-slurm.XXXXXX)
chmod 755 "$work"
started=()
stop() {
  # Only the daemons this script started, newest first.
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do kill "${started[$i]}" 2>/dev/null || true; done
  sleep 1
  for p in "${started[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}
trap stop EXIT

# munge: a key and a daemon on the default socket (Slurm's auth/munge looks there), unless one runs.
if ! munge -n >/dev/null 2>&1; then
  mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
  [ -f /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null \
    || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge 2>/dev/null || true
  chmod 700 /etc/munge; chmod 400 /etc/munge/munge.key
  if id munge >/dev/null 2>&1; then runuser -u munge -- /usr/sbin/munged; else /usr/sbin/munged --force; fi
  sleep 1
  started+=("$(pgrep -n -x munged)")
fi
munge -n | unmunge >/dev/null

# A one-node cluster whose files all live in $work.
host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$work/state" "$work/spool"
cat > "$work/slurm.conf" <<EOF
ClusterName=hffsim-scenario
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldPort=16817
SlurmdPort=16818
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmdSpoolDir=$work/spool
StateSaveLocation=$work/state
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=scenario Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$work/slurm.conf
/usr/sbin/slurmctld -i -f "$SLURM_CONF"
sleep 1
started+=("$(cat "$work/slurmctld.pid")")
/usr/sbin/slurmd -f "$SLURM_CONF"
for _ in $(seq 1 30); do [ -f "$work/slurmd.pid" ] && break; sleep 1; done
started+=("$(cat "$work/slurmd.pid")")
for _ in $(seq 1 30); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo -h -o "cluster up: partition %P, node %N, %c CPUs, %T"

# The sweep: a tiny model on the committed subset, 3 x 4 = 12 points.
cd "$work"
"$hffsim" train --layers 32,32 --epochs 1 --output tiny.safetensors >/dev/null
cat > tiny.json <<'EOF'
{"description": "The Slurm scenario's sweep: ADC bits x columns per ADC, a tiny model.",
 "models": ["tiny.safetensors"], "hardware": ["rram-neurosim"],
 "grid": [{"key": "crossbar.adc.bits", "values": [3, 5, 7]},
          {"key": "crossbar.adc.columnsPerADC", "values": [1, 2, 4, 8]}],
 "samples": 50, "chipSeeds": 2}
EOF
"$hffsim" sweep tiny.json --output-dir single --threads 1 2>/dev/null | tail -n 1
read -r _ array _ merge <<<"$("$here/submit.sh" tiny.json slurm 4 "$hffsim")"
echo "submitted: array job $array (4 tasks), merge job $merge (afterok:$array)"
for _ in $(seq 1 300); do
  [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] && break
  sleep 1
done
for i in 0 1 2 3; do
  n=$(ls slurm/shard-$i/points 2>/dev/null | wc -l)
  job=$(scontrol -o show job "${array}_$i" 2>/dev/null | tr ' ' '\n' | grep -E '^(JobState|ExitCode|NodeList)=' | tr '\n' ' ')
  echo "task $i: ${job}shard $i/4, $n points"
done
echo "merge job: $(scontrol -o show job "$merge" 2>/dev/null | grep -o 'JobState=[A-Z]*') $(tail -n 1 slurm/hffsim-sweep-merge-*.out)"
[ -f slurm/merged/results.csv ] || { echo "FAIL: no merged table"; cat slurm/*.out "$work"/slurm*.log 2>/dev/null | tail -n 40; exit 1; }
status=0
for f in results.csv results.jsonl front.txt plan.json report.html pareto.svg; do
  if cmp -s "single/$f" "slurm/merged/$f"; then echo "identical: $f ($(wc -c < "single/$f") bytes)"; else echo "DIFFERENT: $f"; status=1; fi
done
[ $status -eq 0 ] && echo "PASS: 4 tasks, merged table identical to the single-machine sweep" || echo "FAIL"
exit $status
