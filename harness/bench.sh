#!/bin/sh
# ninja bench: one results folder per run, named after the host and the time, holding the
# sweep (bench.json, bench.csv, plan.json). It ends by printing where the results are.
# Usage: bench.sh BUILD_DIR SWEEP [RESULTS_ROOT]   (CEILINGS_RESULTS overrides RESULTS_ROOT)
set -u
build=$1
sweep=$2
root=${CEILINGS_RESULTS:-${3:-}}
[ -n "$root" ] || root=$build/results
dir=$root/$(hostname)-$(date +%Y%m%d-%H%M%S)
mkdir -p "$dir" || exit 1

# An interrupted or failed run leaves no folder without a complete bench.json behind.
cleanup() {
    if [ ! -f "$dir/bench.json" ]; then rm -rf "$dir"; fi
}
trap 'cleanup; exit 1' INT TERM

"$build/ceilings-bench" --sweep "$sweep" --results "$dir"
rc=$?
if [ $rc -ne 0 ]; then
    cleanup
    if [ -d "$dir" ]; then echo "bench: failed (exit $rc); what was measured is in $dir" >&2
    else echo "bench: failed (exit $rc); nothing kept" >&2; fi
    exit $rc
fi
ln -sfn "$(basename "$dir")" "$root/latest"
echo "bench: results in $dir"
