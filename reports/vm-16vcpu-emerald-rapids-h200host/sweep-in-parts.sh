#!/bin/bash
# One call on the 16-core device machine: build ceilings against Debian 12's libraries carried
# as .deb files, probe (built-in loops), then the quick sweep in parts, each part a whole
# results folder, most important first, each bounded by the time left. Usage:
#   .deps/device.sh OUT BUDGET_S
set -u
out=$1 budget=$2
t0=$(date +%s)
left() { echo $((budget - ($(date +%s) - t0))); }
log() { echo "== $(date -u +%H:%M:%S) ($(( $(date +%s) - t0 )) s) $*"; }
D=/tmp/deps
mkdir -p $D
for f in .deps/*.deb; do dpkg -x "$f" $D; done
# libudev1 only where the machine has none of its own
fallback=$D/lib/x86_64-linux-gnu
ldconfig -p | grep -q 'libudev.so.1 ' && fallback=
export LD_LIBRARY_PATH=$D/usr/lib/x86_64-linux-gnu${fallback:+:$fallback}
export PATH=$D/usr/bin:$PATH
for pc in $D/usr/lib/x86_64-linux-gnu/pkgconfig/*.pc; do sed -i "s|/usr|$D/usr|g" "$pc"; done
export PKG_CONFIG=$D/usr/bin/pkgconf PKG_CONFIG_LIBDIR=$D/usr/lib/x86_64-linux-gnu/pkgconfig
{
    log machine
    uname -a; nproc; lscpu; free -g; gcc --version | head -1; python3 --version
    python3 -c 'import numpy, matplotlib; print("numpy", numpy.__version__, "matplotlib", matplotlib.__version__)'
    meson --version; ninja --version
    for f in /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/shmem_enabled; do
        echo "$f: $(cat $f)"; done
    cat /proc/loadavg
} > "$out/machine.txt" 2>&1
cat "$out/machine.txt"
lstopo-no-graphics --of xml "$out/topology.xml" || log "lstopo failed"
log build
meson setup /tmp/b -Dmpi=disabled -Dlikwid=disabled > "$out/build.log" 2>&1 &&
    ninja -C /tmp/b ceilings ceilings-bench >> "$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
grep -i -E "python|benchmark|hwloc|openmp|compiler" "$out/build.log" | head -12
B=/tmp/b
$B/ceilings plan --sweep quick
$B/ceilings plan --sweep quick --json > /tmp/plan.json
dram=$(python3 -c 'import json; p=json.load(open("/tmp/plan.json")); print(" ".join(str(s["n"]) for s in p["sizes"] if s.get("target")=="DRAM"))')
log "DRAM target n: ${dram:-none}"
R=/tmp/results
mkdir -p $R/probe
log probe
timeout -s INT 200 $B/ceilings probe --sweep quick --builtin --samples 1 --results $R/probe > $R/probe.log 2>&1
log "probe exit $?"
tail -30 $R/probe.log
part() { # NAME REPS FILTER (every 60 s of sweep, the scalings measured again)
    local name=$1 reps=$2 filter=$3 t=$(( $(left) - 25 ))
    if [ $t -lt 30 ]; then log "part $name not started: $t s left"; return 1; fi
    mkdir -p $R/$name
    cp $R/probe/probe.json $R/$name/ 2>/dev/null
    log "part $name ($filter, $reps repetitions), at most $t s"
    timeout -s INT $t $B/ceilings-bench --sweep quick --results $R/$name --benchmark_repetitions=$reps \
        --rescale-every 60 --benchmark_filter="$filter" > $R/$name.log 2>&1
    local rc=$?
    log "part $name exit $rc"
    grep -v '^\[' $R/$name.log | tail -8
    [ $rc -eq 0 ] && [ -f $R/$name/bench.json ]
}
# Five repetitions a point where the quick sweep has two (a 95% interval of the median within
# +-15% on a quiet point), the quick plan's in-core size (half of one worker's L2) now among the
# sizes, and the probe's scalings measured again every 60 s of sweep, so that explain takes the
# host's cores as they were near each point. Each part ends whole or is cut at the time left.
if [ -n "$dram" ]; then
    part a 5 "-numpy|mpi|/n:$dram/"
    part b 3 "^motion/(serial|omp|proc)/batched/n:$dram/"
else
    part a 5 "-numpy|mpi"
fi
log pack
tar czf "$out/results.tgz" -C /tmp results
ls -la "$out"
log done
