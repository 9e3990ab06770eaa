#!/bin/sh
# A worker killed with SIGKILL mid-run: the parent exits 1 within 3 s, names the worker, leaves
# no child behind and nothing new in /dev/shm. Both barriers.
# Usage: worker_killed.sh path/to/ceilings
set -u
. "$(dirname "$0")/lib.sh"
ceilings=$1
err=$(mktemp)
trap 'rm -f "$err"' EXIT

for barrier in futex pthread; do
    for mode in batched pertick; do
        shm_before=$(shm_listing)
        "$ceilings" run motion proc --n 1e6 --workers 3 --ticks 100000000 --reps 1 --mode $mode \
            --barrier $barrier 2>"$err" >/dev/null &
        parent=$!
        kids=$(wait_for_children $parent 2) || fail "$barrier/$mode: the team never started"
        victim=$(printf '%s\n' "$kids" | head -n 1)
        sleep 0.3
        start=$(now_ms)
        kill -KILL "$victim"
        wait_exit $parent "$start"
        rc=$exit_rc took=$exit_ms
        [ $rc -eq 1 ] || fail "$barrier/$mode: exit $rc, expected 1"
        [ $took -le 3000 ] || fail "$barrier/$mode: took $took ms to notice and exit"
        grep -q "was killed by signal 9" "$err" || fail "$barrier/$mode: message: $(cat "$err")"
        # shellcheck disable=SC2086
        any_alive $kids && fail "$barrier/$mode: a worker outlived the parent"
        [ "$(shm_listing)" = "$shm_before" ] || fail "$barrier/$mode: /dev/shm changed"
        echo "$barrier/$mode: exit $rc after $took ms: $(cat "$err")"
    done
done
finish
