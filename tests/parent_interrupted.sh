#!/bin/sh
# SIGINT or SIGTERM to the parent: the same clean teardown (exit 1 within 3 s, no child left,
# nothing new in /dev/shm), for the process team and for OpenMP. Per tick on a small N the
# worker waits in a barrier most of the time, so the signal finds it there: a pthread barrier
# must then not be destroyed (glibc waits for the killed worker to leave it, for ever).
# Usage: parent_interrupted.sh path/to/ceilings
set -u
. "$(dirname "$0")/lib.sh"
ceilings=$1
err=$(mktemp)
trap 'rm -f "$err"' EXIT

for case in "INT proc futex batched 1e6" "TERM proc futex batched 1e6" "INT proc pthread batched 1e6" \
    "INT proc pthread pertick 4096" "INT proc futex pertick 4096" "INT omp futex batched 1e6" \
    "TERM omp futex batched 1e6" "INT threads futex batched 1e6" "TERM threads futex pertick 4096" \
    "INT threads pthread pertick 4096"; do
    set -- $case
    sig=$1 variant=$2 barrier=$3 mode=$4 n=$5
    shm_before=$(shm_listing)
    "$ceilings" run trig "$variant" --n "$n" --workers 2 --ticks 100000000 --reps 1 \
        --barrier "$barrier" --mode "$mode" 2>"$err" >/dev/null &
    parent=$!
    kids=""
    # the team running (its stop handlers are in place before it starts; a busy CI machine once
    # took more than 0.5 s to get there, and the signal's default action ended the run)
    if [ "$variant" = proc ]; then
        kids=$(wait_for_children $parent 1) || fail "$case: the team never started"
    else
        wait_for_threads $parent 2 || fail "$case: the team never started"
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
