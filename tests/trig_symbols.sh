#!/bin/sh
# The trig kernel's object must call libmvec's vector sinf and cosf (_ZGV<isa>N<width>v_sinf).
# Usage: trig_symbols.sh LIBRARY_OR_OBJECT [SANITIZERS]
set -eu
if [ "${2:-none}" != none ]; then
    # gcc does not vectorise loops it instruments for sanitizers: nothing to check in this build
    echo "skipped: a $2-sanitized build (the release build checks the vector calls)"
    exit 77
fi
syms=$(nm "$1")
for f in sinf cosf; do
    if ! printf '%s\n' "$syms" | grep -Eq " U _ZGV[bcde]N[0-9]+v_$f\$"; then
        echo "trig: no vector $f (_ZGV*v_$f) is called in $1; it calls:" >&2
        printf '%s\n' "$syms" | grep ' U ' >&2
        exit 1
    fi
done
echo "trig calls: $(printf '%s\n' "$syms" | grep -Eo '_ZGV[a-zA-Z0-9_]+' | sort -u | tr '\n' ' ')"
