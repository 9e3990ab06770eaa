#!/bin/sh
# The rule as a command: sim runs disjoint systems together and matches one after the other;
# it refuses motion,eat (both write energy) with exit 2 naming the column; race runs that pair
# anyway and reports what it saw, corruption or honestly none. Usage: race.sh path/to/ceilings
set -u
. "$(dirname "$0")/lib.sh"
ceilings=$1
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

for variant in omp proc; do
    timeout 60 "$ceilings" sim motion,food_spawn --variant $variant --n 10000 --ticks 20 >"$out" 2>"$err"
    rc=$?
    [ $rc -eq 0 ] || fail "sim motion,food_spawn ($variant): exit $rc: $(cat "$err")"
    grep -q "equal to one after the other, bit for bit" "$out" || fail "sim ($variant) says: $(cat "$out")"
done

timeout 60 "$ceilings" sim motion,eat >"$out" 2>"$err"
rc=$?
[ $rc -eq 2 ] || fail "sim motion,eat: exit $rc, expected 2"
grep -q "'energy'" "$err" || fail "sim motion,eat does not name energy: $(cat "$err")"
[ "$(wc -l <"$err")" -eq 1 ] || fail "sim motion,eat: not one line: $(cat "$err")"

for variant in omp proc; do
    timeout 120 "$ceilings" race --variant $variant --trials 20 >"$out" 2>"$err"
    rc=$?
    [ $rc -eq 0 ] || fail "race ($variant): exit $rc: $(cat "$err")"
    grep -q "refuses: motion and eat both write 'energy'" "$out" || fail "race ($variant) does not show the refusal"
    if grep -qE "the race: .*[1-9][0-9]* of 20 trials differed" "$out"; then
        echo "race ($variant): $(grep 'the race' "$out")"
    elif grep -q "none of 20 trials differed" "$out"; then
        echo "race ($variant): not caught on this machine, and said so"
    else
        fail "race ($variant): no verdict: $(cat "$out")"
    fi
done
finish
