#!/bin/sh
# Bad input: exit 2, one line on stderr naming what was wrong, nothing on stdout, nothing run.
# Usage: cli_errors.sh path/to/ceilings
set -u
. "$(dirname "$0")/lib.sh"
ceilings=$1
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# expect_usage WORD ARGS...: exit 2, one stderr line containing WORD, empty stdout
expect_usage() {
    word=$1
    shift
    timeout 20 "$ceilings" "$@" >"$out" 2>"$err"
    rc=$?
    [ $rc -eq 2 ] || fail "ceilings $*: exit $rc, expected 2"
    [ "$(wc -l <"$err")" -eq 1 ] || fail "ceilings $*: $(wc -l <"$err") lines on stderr: $(cat "$err")"
    grep -q -- "$word" "$err" || fail "ceilings $*: message does not name '$word': $(cat "$err")"
    [ ! -s "$out" ] || fail "ceilings $*: printed on stdout: $(head -c 200 "$out")"
}

expect_usage "command" 
expect_usage "frobnicate" frobnicate
expect_usage "KERNEL and VARIANT" run motion
expect_usage "bogus" run bogus serial
expect_usage "bogus" run motion bogus
expect_usage "--n" run motion omp --n abc
expect_usage "--n" run motion omp --n 0
expect_usage "--n" run motion omp --n -5
expect_usage "--n" run motion omp --n 1.5
expect_usage "--n" run motion omp --n 1e6x
expect_usage "--n" run motion omp --n 99999999999999999999999
expect_usage "available" run motion omp --n 1e15
expect_usage "--n" run motion omp --n
expect_usage "--workers" run motion proc --workers 0
expect_usage "--workers" run motion proc --workers two
expect_usage "--workers" run motion proc --workers 100000
expect_usage "--ticks" run trig omp --ticks 0
expect_usage "--reps" run trig omp --reps 0
expect_usage "--mode" run trig omp --mode sideways
expect_usage "--barrier" run trig proc --barrier spinlock
expect_usage "--cpus" run trig proc --cpus 99999
expect_usage "--cpus" run trig proc --cpus 1-0
expect_usage "--cpus" run trig proc --cpus a,b
expect_usage "--frobnicate" run trig proc --frobnicate
expect_usage "--frobnicate" check --frobnicate
expect_usage "extra" check extra
expect_usage "'energy'" sim motion,eat
expect_usage "'food'" sim eat,food_spawn
expect_usage "twice" sim motion,motion
expect_usage "bogus" sim motion,bogus
expect_usage "--variant" sim motion,food_spawn --variant gpu
expect_usage "--trials" race --trials 0
# found by fuzzing: hwloc 2.9 crashes on this file; ceilings reads it in a child first
expect_usage "hwloc crashed" plan --topology "$(dirname "$0")/fuzz/corpus/topology/crash-hwloc-no-complete-cpuset.xml"
expect_usage "--n" run motion serial --n 18446744073709551615
expect_usage "--n" run motion serial --n 1e19
expect_usage "beyond 2^53" run motion serial --n 1e18
expect_usage "--workers" run motion proc --workers 1025

# help is not an error
for args in "--help" "run --help" "check --help"; do
    # shellcheck disable=SC2086
    timeout 20 "$ceilings" $args >"$out" 2>"$err" || fail "ceilings $args: exit $?"
    grep -q usage "$out" || fail "ceilings $args: no usage text"
done
finish
