#!/bin/sh
# The ninja targets that fill a results folder (BUILD_DIR/results/<host>-<time>/, or
# -Dresults_dir=..., or $CEILINGS_RESULTS):
#   bench    a new folder: the machine's ceilings (probe.json), the sweep (bench.json,
#            bench.csv, plan.json), the verdicts (verdicts.json) and the report; or, when the
#            newest folder's sweep was interrupted, the rest of that sweep (ceilings-bench --resume)
#   profile  likwid-perfctr counters for the newest folder (profile.json), verdicts again
#   report   the report of the newest folder again
#   compare  the newest two folders, through Google Benchmark's compare.py (ceilings compare)
# Usage: results.sh ACTION BUILD_DIR SWEEP RESULTS_ROOT PYTHON REPORT_SCRIPT [BUDGET]
# BUDGET: seconds the whole of ninja bench keeps to, probe included (-1 or none: the sweep's; 0: none).
set -u
action=$1 build=$2 sweep=$3 root=${CEILINGS_RESULTS:-$4} python=$5 report=$6 budget=${7:--1}
[ -n "$root" ] || root=$build/results
ceilings=$build/ceilings

say() { printf '%s: %s\n' "$action" "$*"; }

make_report() {
    if [ -z "$python" ]; then
        say "no report: no Python that can import matplotlib was found (install python3-matplotlib)"
        return 0
    fi
    "$python" "$report" "$1"
}

latest() {
    if [ ! -d "$root/latest" ]; then
        say "no results folder in $root yet: run ninja bench first" >&2
        exit 1
    fi
    (cd "$root/latest" && pwd -P)
}

# The newest folder whose sweep was interrupted: a bench.json marked partial, or a probe and no
# bench.json yet. Prints nothing if the newest folder is complete.
partial_folder() {
    newest=$(ls -1dt "$root"/*/ 2>/dev/null | grep -v '/latest/$' | head -n 1)
    [ -n "$newest" ] || return 0
    newest=${newest%/}
    if grep -q '"partial": true' "$newest/bench.json" 2>/dev/null ||
        { [ ! -f "$newest/bench.json" ] && [ -f "$newest/probe.json" ]; }; then
        echo "$newest"
    fi
}

case $action in
bench)
    # ^C or SIGTERM: the sweep keeps what it measured (bench.json marked partial), which is then
    # explained and reported; the next ninja bench resumes it.
    stopped=0 began=$(date +%s)
    trap 'stopped=1' INT TERM
    dir=$(partial_folder)
    if [ -n "$dir" ] && [ -f "$dir/bench.json" ]; then
        say "resuming the interrupted sweep in $dir"
        "$build/ceilings-bench" --resume "$dir"
        rc=$?
    else
        if [ -n "$dir" ]; then
            say "the sweep in $dir was interrupted before its first point: it starts there"
        else
            dir=$root/$(hostname)-$(date +%Y%m%d-%H%M%S)
            mkdir -p "$dir" || exit 1
            say "the machine's ceilings (ceilings probe)"
            "$ceilings" probe --sweep "$sweep" --results "$dir" || say "the probe failed: verdicts will say what is missing"
        fi
        # the sweep gets what the probe left of the budget (a minute at least)
        [ "$budget" -lt 0 ] && budget=$("$ceilings" plan --sweep "$sweep" --json | sed -n 's/^  "budget_s": \([0-9]*\).*/\1/p')
        left=${budget:-0}
        if [ "$left" -gt 0 ]; then
            left=$((left - ($(date +%s) - began)))
            [ "$left" -lt 60 ] && left=60
        fi
        [ $stopped -eq 0 ] && "$build/ceilings-bench" --sweep "$sweep" --budget "$left" --results "$dir"
        rc=$?
        [ $stopped -ne 0 ] && rc=1
    fi
    if [ ! -f "$dir/bench.json" ]; then
        [ -f "$dir/probe.json" ] || rm -rf "$dir"
        if [ -d "$dir" ]; then say "nothing of the sweep was measured; the probe is kept in $dir, and ninja bench goes on from it" >&2
        else say "the sweep failed (exit $rc); nothing was measured" >&2; fi
        exit 1
    fi
    if ! grep -q '"run_name"' "$dir/bench.json"; then
        say "no point was measured: the budget went to the probe and to sizing the ticks (bench.json's" \
            "context lists the points left out); meson configure $build -Dbudget=SECONDS (0: none) gives more" >&2
        exit 1
    fi
    ln -sfn "$(basename "$dir")" "$root/latest"
    "$ceilings" explain "$dir" > "$dir/verdicts.txt" || rc=1
    tail -n 1 "$dir/verdicts.txt"
    make_report "$dir" || rc=1
    if grep -q '"partial": true' "$dir/bench.json"; then
        say "partial results in $dir (explained and reported); ninja bench again measures the rest" >&2
        exit 1
    fi
    [ $rc -ne 0 ] && say "the sweep failed (exit $rc); what was measured is in $dir" >&2
    say "results in $dir"
    exit $rc
    ;;
profile)
    dir=$(latest) || exit 1
    "$ceilings" profile --results "$dir" || exit 1
    "$ceilings" explain "$dir" > "$dir/verdicts.txt" || exit 1
    say "counters and verdicts in $dir"
    ;;
report)
    dir=$(latest) || exit 1
    make_report "$dir" || exit 1
    ;;
compare)
    # the newest two folders that hold a whole sweep (not the latest link again), older first
    set -- $(ls -1dt "$root"/*/bench.json 2>/dev/null | grep -v '/latest/bench.json$' | head -n 2)
    if [ $# -lt 2 ]; then
        say "fewer than two results folders in $root: run ninja bench twice" >&2
        exit 1
    fi
    "$ceilings" compare "$(dirname "$2")" "$(dirname "$1")"
    ;;
*)
    echo "results.sh: unknown action '$action'" >&2
    exit 2
    ;;
esac
