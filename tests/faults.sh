#!/bin/sh
# The fault matrix: a worker killed (SIGKILL, SIGSEGV) at start, mid-run and at the barrier
# (both barriers); a fork that fails; memory that cannot be mapped; a full disk (a file-size
# limit) and an unwritable results folder. Each must end in one clear error and exit 1 within
# 3 s, with no process of the run left, nothing new in /dev/shm, and no partial result file.
# Usage: faults.sh CEILINGS CEILINGS_BENCH SANITIZERS
set -u
. "$(dirname "$0")/lib.sh"
ceilings=$1 bench=$2 sanitized=$3
err=$(mktemp) out=$(mktemp -d)
trap 'rm -rf "$err" "$out"' EXIT

# run_fault NAME EXPECTED_TEXT ENV... -- ARGS...: run ceilings in its own session and check it all
run_fault() {
    name=$1 want=$2
    shift 2
    shm_before=$(shm_listing)
    start=$(now_ms)
    setsid env "$@" >/dev/null 2>"$err" &
    leader=$!
    wait_exit $leader "$start"
    [ "$exit_rc" -eq 1 ] || fail "$name: exit $exit_rc, expected 1"
    [ "$exit_ms" -le 3000 ] || fail "$name: took $exit_ms ms"
    grep -q -- "$want" "$err" || fail "$name: expected '$want', got: $(cat "$err")"
    [ "$(grep -c . "$err")" -eq 1 ] || fail "$name: not one line: $(cat "$err")"
    sleep 0.1
    group_alive $leader && fail "$name: a process of the run survived it"
    [ "$(shm_listing)" = "$shm_before" ] || fail "$name: /dev/shm changed"
    echo "$name: exit $exit_rc in $exit_ms ms: $(cat "$err")"
}

run="$ceilings run motion proc --n 100000 --workers 3 --ticks 2000 --reps 2"
for where in start tick barrier; do
    for sig in KILL SEGV; do
        run_fault "$where/$sig" "killed by signal" CEIL_INJECT=$where:2:$sig $run
    done
done
run_fault "pthread barrier/KILL" "killed by signal 9" CEIL_INJECT=barrier:1:KILL $run --barrier pthread
run_fault "pertick barrier/SEGV" "killed by signal 11" CEIL_INJECT=barrier:1:SEGV $run --mode pertick
run_fault "fork fails" "cannot fork worker 2 of 3" CEIL_INJECT=fork:2 $run

# memory that cannot be mapped (an address-space limit); sanitizers reserve too much to try
if [ "$sanitized" = none ]; then
    for variant in proc omp; do
        name="no memory ($variant)"
        start=$(now_ms)
        (ulimit -v 300000; exec "$ceilings" run motion $variant --n 1e8 --workers 2 --ticks 1) >/dev/null 2>"$err"
        rc=$?
        [ $rc -eq 1 ] && grep -q "cannot map" "$err" || fail "$name: exit $rc: $(cat "$err")"
        echo "$name: exit $rc: $(cat "$err")"
    done
fi

# a full disk (a file-size limit: writes fail with EFBIG) and an unwritable results folder:
# an error, exit 1, and no partial file
small="--sweep quick --max-bytes 3000000"
few="$small --benchmark_filter=^motion/(serial|omp)/batched/" # a folder to write into: six points
for cmd in "probe --builtin $small" "explain"; do
    rm -rf "$out"/*
    "$bench" $few --benchmark_repetitions=1 --results "$out" >/dev/null 2>&1 || fail "bench for $cmd"
    [ "${cmd%% *}" = probe ] && rm -f "$out"/bench.json "$out"/bench.csv
    before=$(ls "$out")
    (ulimit -f 1; exec $ceilings ${cmd%% *} $( [ "${cmd%% *}" = probe ] && echo "${cmd#probe }" ) \
        $( [ "${cmd%% *}" = probe ] && echo --results ) "$out") >/dev/null 2>"$err"
    rc=$?
    [ $rc -eq 1 ] && grep -q "cannot write" "$err" || fail "full disk, $cmd: exit $rc: $(cat "$err")"
    [ "$(ls "$out")" = "$before" ] || fail "full disk, $cmd: left $(ls "$out")"
    echo "full disk, ${cmd%% *}: exit $rc: $(cat "$err")"
done
rm -rf "$out"/*
(ulimit -f 4; exec "$bench" $few --benchmark_repetitions=1 --results "$out") >/dev/null 2>"$err"
rc=$?
[ $rc -eq 1 ] && grep -q "cannot write the results" "$err" || fail "full disk, bench: exit $rc: $(tail -1 "$err")"
ls "$out" | grep -qE 'bench|part' && fail "full disk, bench: left $(ls "$out")"
echo "full disk, bench: exit $rc: $(tail -1 "$err")"
"$bench" $few --results /dev/null/results >/dev/null 2>"$err"
rc=$?
[ $rc -eq 1 ] && grep -q "cannot create" "$err" || fail "unwritable folder, bench: exit $rc: $(tail -1 "$err")"
echo "unwritable folder, bench: exit $rc: $(tail -1 "$err")"
finish
