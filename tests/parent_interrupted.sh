#!/bin/sh
# SIGINT or SIGTERM to the parent: the same clean teardown (exit 1 within 3 s, no child left,
# nothing new in /dev/shm), for the process team and for OpenMP.
# Usage: parent_interrupted.sh path/to/ceilings
set -u
. "$(dirname "$0")/lib.sh"
ceilings=$1
err=$(mktemp)
trap 'rm -f "$err"' EXIT

for case in "INT proc futex" "TERM proc futex" "INT proc pthread" "INT omp futex" "TERM omp futex"; do
    set -- $case
    sig=$1 variant=$2 barrier=$3
    shm_before=$(shm_listing)
    "$ceilings" run trig "$variant" --n 1e6 --workers 2 --ticks 100000000 --reps 1 \
        --barrier "$barrier" 2>"$err" >/dev/null &
    parent=$!
    kids=""
    if [ "$variant" = proc ]; then
        kids=$(wait_for_children $parent 1) || fail "$case: the team never started"
    fi
    sleep 0.5
    start=$(now_ms)
    kill -s "$sig" $parent
    wait_exit $parent "$start"
    rc=$exit_rc took=$exit_ms
    [ $rc -eq 1 ] || fail "$case: exit $rc, expected 1"
    [ $took -le 3000 ] || fail "$case: took $took ms"
    grep -q "interrupted by signal" "$err" || fail "$case: message: $(cat "$err")"
    # shellcheck disable=SC2086
    [ -n "$kids" ] && any_alive $kids && fail "$case: a worker outlived the parent"
    [ "$(shm_listing)" = "$shm_before" ] || fail "$case: /dev/shm changed"
    echo "$case: exit $rc after $took ms: $(cat "$err")"
done
finish
