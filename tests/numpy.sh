#!/bin/sh
# The book's method (numpy, numpy-threads): pool, threads and serial numpy results equal over edge
# sizes (1, 17, more workers than elements) in both modes; a SIGKILLed pool worker ends the run with
# exit 1 within a second, no worker left, nothing in /dev/shm; SIGINT likewise; bad input as for
# every variant. Skips (77) where the build found no Python with numpy.
# Usage: numpy.sh path/to/ceilings
set -u
. "$(dirname "$0")/lib.sh"
ceilings=$1
err=$(mktemp)
out=$(mktemp)
trap 'rm -f "$err" "$out"' EXIT

if ! "$ceilings" run motion numpy --n 16 --workers 1 --ticks 1 --reps 1 >/dev/null 2>"$err"; then
    if grep -q "no Python that imports numpy" "$err"; then cat "$err"; exit 77; fi
fi

# equality: every worker count against numpy's serial loop, bit for bit (checked inside the run)
for variant in numpy numpy-threads; do
    for kernel in motion trig; do
        for case in "1 1" "1 3" "17 2" "17 40" "4099 3"; do
            set -- $case
            for mode in batched pertick; do
                "$ceilings" run $kernel $variant --n "$1" --workers "$2" --ticks 3 --reps 2 --mode $mode --json \
                    >"$out" 2>"$err"
                rc=$?
                [ $rc -eq 0 ] && grep -q '"valid": true' "$out" ||
                    fail "$kernel/$variant/$mode n=$1 workers=$2: exit $rc $(cat "$err")"
            done
        done
    done
done
grep -q '"ns_per_elem_tick"' "$out" && grep -q '"gbps"' "$out" || fail "the JSON lacks the keys every variant prints"

# the temporaries: kept on the heap by default, so a 36 MB one (above glibc's largest mmap threshold,
# 32 MiB) faults no page after the warm-up tick; with glibc's defaults it is mapped afresh every tick
for malloc in steady glibc; do
    CEILINGS_NUMPY_MALLOC=$malloc "$ceilings" run motion numpy --n 9e6 --workers 1 --ticks 3 --reps 1 --json \
        >"$out" 2>"$err" || fail "malloc $malloc: $(cat "$err")"
    faults=$(sed -n 's/.*"faults_per_tick": \([0-9.]*\).*/\1/p' "$out")
    [ -n "$faults" ] || fail "malloc $malloc: no faults_per_tick in $(cat "$out")"
    case $malloc in
    steady) awk "BEGIN { exit !($faults < 1) }" || fail "steady heap: $faults page faults per tick"
            grep -q '"malloc": "steady heap' "$out" || fail "steady heap: $(grep malloc "$out")" ;;
    glibc)  awk "BEGIN { exit !($faults >= 9) }" || fail "glibc defaults: $faults page faults per tick, a 36 MB temporary mapped afresh faults at least 9 (2 MB pages)"
            grep -q '"malloc": "glibc defaults"' "$out" || fail "glibc defaults: $(grep malloc "$out")" ;;
    esac
done

# a pool worker killed, and the parent interrupted: exit 1 at once, nothing left
for case in "KILL numpy" "INT numpy" "TERM numpy-threads"; do
    set -- $case
    shm_before=$(shm_listing)
    "$ceilings" run trig "$2" --n 2e6 --workers 2 --ticks 1000000 --reps 1 >/dev/null 2>"$err" &
    parent=$!
    if [ "$1" = KILL ]; then
        kids=$(wait_for_children $parent 3) || fail "$case: the pool never started"
        victim=""
        for k in $kids; do grep -q numpy_team /proc/"$k"/cmdline 2>/dev/null && victim=$k; done
        sleep 0.5
        start=$(now_ms)
        kill -KILL "$victim"
    else
        sleep 1
        kids=$(children_of $parent)
        start=$(now_ms)
        kill -s "$1" $parent
    fi
    wait_exit $parent "$start"
    [ "$exit_rc" -eq 1 ] || fail "$case: exit $exit_rc, expected 1 ($(cat "$err"))"
    [ "$exit_ms" -le 1000 ] || fail "$case: took $exit_ms ms"
    grep -q "ceilings run: trig/$2: " "$err" || fail "$case: message: $(cat "$err")"
    wait_gone $kids || fail "$case: a worker outlived the run"
    [ "$(shm_listing)" = "$shm_before" ] || fail "$case: /dev/shm changed: $(shm_listing)"
done

# bad input: one line, exit 2, as for every variant
for args in "starve numpy" "motion numpy --n 0" "motion numpy-threads --mode sideways" "motion numpy --workers 0"; do
    "$ceilings" run $args >"$out" 2>"$err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <"$err")" -eq 1 ] && [ ! -s "$out" ] || fail "run $args: exit $rc, $(cat "$err")"
done
finish
