#!/bin/sh
# The ninja targets that fill a results folder (BUILD_DIR/results/<host>-<time>/, or
# -Dresults_dir=..., or $CEILINGS_RESULTS):
#   bench    a new folder: the machine's ceilings (probe.json), the sweep (bench.json,
#            bench.csv, plan.json), the verdicts (verdicts.json) and the report
#   profile  likwid-perfctr counters for the newest folder (profile.json), verdicts again
#   report   the report of the newest folder again
#   compare  the newest two folders, through Google Benchmark's compare.py (ceilings compare)
# Usage: results.sh ACTION BUILD_DIR SWEEP RESULTS_ROOT PYTHON REPORT_SCRIPT
set -u
action=$1 build=$2 sweep=$3 root=${CEILINGS_RESULTS:-$4} python=$5 report=$6
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

case $action in
bench)
    dir=$root/$(hostname)-$(date +%Y%m%d-%H%M%S)
    mkdir -p "$dir" || exit 1
    # an interrupted or failed sweep leaves no folder without a complete bench.json
    cleanup() { if [ ! -f "$dir/bench.json" ]; then rm -rf "$dir"; fi; }
    trap 'cleanup; exit 1' INT TERM
    say "the machine's ceilings (ceilings probe)"
    "$ceilings" probe --sweep "$sweep" --results "$dir" || say "the probe failed: verdicts will say what is missing"
    "$build/ceilings-bench" --sweep "$sweep" --results "$dir"
    rc=$?
    if [ $rc -ne 0 ]; then
        cleanup
        if [ -d "$dir" ]; then say "the sweep failed (exit $rc); what was measured is in $dir" >&2
        else say "the sweep failed (exit $rc); nothing kept" >&2; fi
        exit $rc
    fi
    ln -sfn "$(basename "$dir")" "$root/latest"
    "$ceilings" explain "$dir" > "$dir/verdicts.txt" || rc=1
    tail -n 1 "$dir/verdicts.txt"
    make_report "$dir" || rc=1
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
