#!/bin/sh
# The mpi variant on one node, up to 3 ranks: results checked against serial (the job's JSON),
# pretend nodes (CEIL_MPI_NODE_RANKS) for the code that spans nodes, refusals with exit 2 and one
# line, and the job's end when mpirun is interrupted or a rank is killed (exit non-zero within
# 10 s, no rank left, nothing new in /dev/shm).
# Usage: mpi.sh path/to/ceilings (exit 77, skipped, without mpirun)
set -u
. "$(dirname "$0")/lib.sh"
ceilings=$1
command -v mpirun >/dev/null 2>&1 || { echo "mpirun not found: skipped"; exit 77; }
if [ "$(id -u)" = 0 ]; then # CI runs as root; Open MPI refuses root unless told
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Open MPI 4.1 leaves allocations at exit that LeakSanitizer would report (sanitized builds)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
unset CEIL_MPI_NODE_RANKS
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
shm_before=$(shm_listing)

mpi() { mpirun --oversubscribe --bind-to none "$@"; }

# A JSON key's value, as ceilings run --json prints it (one key per line).
key() { sed -n "s/^ *\"$1\": \"*\([^\",]*\)\"*,*$/\1/p" "$out" | head -n 1; }

valid_job() { # NAME NP ARGS...: the job exits 0 and says it equals serial, with NP workers
    name=$1 np=$2
    shift 2
    mpi -np "$np" "$ceilings" run "$@" --ticks 5 --reps 1 --json >"$out" 2>"$err"
    rc=$?
    if [ $rc -ne 0 ]; then fail "$name: exit $rc: $(tail -n 3 "$err")"; return; fi
    [ "$(key valid)" = true ] || fail "$name: not valid: $(cat "$out")"
    [ "$(key workers)" = "$np" ] || fail "$name: workers $(key workers), expected $np"
    [ "$(key variant)" = mpi ] || fail "$name: variant $(key variant)"
    echo "$name: valid, $(key gbps) GB/s, barrier $(key barrier)"
}

refused() { # NAME WORDS NP ARGS...: exit 2, and one line (from one rank) that names WORDS
    name=$1 words=$2 np=$3
    shift 3
    mpi -np "$np" "$ceilings" run "$@" >"$out" 2>"$err"
    rc=$?
    [ $rc -eq 2 ] || fail "$name: exit $rc, expected 2"
    lines=$(grep '^ceilings' "$err")
    [ "$(printf '%s\n' "$lines" | grep -c .)" -eq 1 ] || fail "$name: not one line: $(cat "$err")"
    printf '%s\n' "$lines" | grep -q -- "$words" || fail "$name: message: $lines"
    echo "$name: exit $rc: $lines"
}

valid_job "3 ranks, motion batched" 3 motion mpi --n 999983
valid_job "2 ranks, trig per tick" 2 trig mpi --n 999983 --mode pertick
valid_job "3 ranks, starve" 3 starve mpi --n 100003
valid_job "3 ranks, futex barrier in the window" 3 motion mpi --n 17 --mode pertick --barrier futex
CEIL_MPI_NODE_RANKS=1 valid_job "3 pretend nodes of 1 rank, per tick" 3 motion mpi --n 999983 --mode pertick
CEIL_MPI_NODE_RANKS=2 valid_job "pretend nodes of 2 and 1 ranks" 3 trig mpi --n 1000
valid_job "one rank without mpirun's help" 1 motion mpi --n 1000

# Where ranks run: a rank mpirun bound keeps its binding; otherwise each takes the CPU list's
# entry of its place on its machine, also when the machine is split into pretend nodes.
cpus_of() { tr -d ' \n' <"$out" | sed -n 's/.*"cpus":\[\([0-9,]*\)\].*/\1/p'; }
mpirun --oversubscribe --cpu-set 1 --bind-to core -np 1 "$ceilings" run motion mpi --n 1000 --ticks 1 --reps 1 \
    --json >"$out" 2>"$err" || fail "bound by mpirun: exit $?: $(tail -n 3 "$err")"
[ "$(cpus_of)" = 1 ] || fail "bound by mpirun to CPU 1, the rank ran on CPU $(cpus_of)"
CEIL_MPI_NODE_RANKS=1 mpi -np 2 "$ceilings" run motion mpi --n 1000 --ticks 1 --reps 1 --cpus 1,0 --json \
    >"$out" 2>"$err" || fail "--cpus 1,0: exit $?: $(tail -n 3 "$err")"
[ "$(cpus_of)" = 1,0 ] || fail "--cpus 1,0 on two pretend nodes: the ranks ran on CPUs $(cpus_of)"
echo "CPUs: bound by mpirun, kept; --cpus 1,0 over two pretend nodes: $(cpus_of)"

refused "more workers than ranks" "MPI job has 2 rank" 2 motion mpi --n 1000 --workers 3
refused "more memory than the machine's" "elements of motion need" 2 motion mpi --n 1e12
refused "pthread barrier" "not a barrier of the mpi variant" 2 motion mpi --n 1000 --barrier pthread
CEIL_MPI_NODE_RANKS=1 refused "starve across nodes" "runs on one node" 2 starve mpi --n 1000
CEIL_MPI_NODE_RANKS=1 refused "futex barrier across nodes" "use --barrier mpi" 2 motion mpi --n 1000 \
    --barrier futex --mode pertick
# every rank parses the same command line: one says what is wrong with it
mpi -np 3 "$ceilings" run motion mpi --n 1000 --workers 2 >/dev/null 2>"$err"
[ "$(grep -c '^ceilings' "$err")" -eq 1 ] || fail "a usage error said $(grep -c '^ceilings' "$err") times"

# The job's end: SIGINT to mpirun, SIGKILL or SIGTERM to one rank.
for case in "INT mpirun" "KILL rank" "TERM rank"; do
    set -- $case
    sig=$1 whom=$2
    mpirun --oversubscribe --bind-to none -np 2 "$ceilings" run trig mpi --n 1e6 --ticks 100000000 --reps 1 \
        >/dev/null 2>"$err" &
    launcher=$!
    ranks=$(wait_for_children $launcher 2) || fail "$case: the ranks never started"
    sleep 1
    start=$(now_ms)
    if [ "$whom" = mpirun ]; then kill -s "$sig" $launcher; else kill -s "$sig" "$(printf '%s\n' "$ranks" | tail -n 1)"; fi
    wait_exit $launcher "$start"
    [ $exit_rc -ne 0 ] || fail "$case: the job exited 0"
    # shellcheck disable=SC2086
    wait_gone $ranks || fail "$case: a rank still runs 5 s after the job ended"
    echo "$case: the job ended with exit $exit_rc after $exit_ms ms"
done

[ "$(shm_listing)" = "$shm_before" ] || fail "/dev/shm changed: $(shm_listing)"
finish
