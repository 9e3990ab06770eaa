#!/usr/bin/env python3
"""ceilings probe, capped small: both sources (built-in always, likwid-bench where installed)
give a daxpy ceiling at every planned size and worker count, copy and load at the targets, a
compute scaling per worker count and each kernel's own in L1, and say where each figure came from.
Usage: test_probe.py CEILINGS"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expect import done, expect  # noqa: E402

ceilings = sys.argv[1]
CAP = "40000000"



def probe(tmp, *extra):
    r = subprocess.run([ceilings, "probe", "--sweep", "quick", "--max-bytes", CAP, "--samples", "1", "--results", tmp,
                        *extra],
                       capture_output=True, text=True, timeout=600)
    expect(r.returncode == 0, f"probe {extra}: exit {r.returncode}: {r.stderr}")
    return json.load(open(os.path.join(tmp, "probe.json"))) if r.returncode == 0 else None


sources = [("--builtin",)] + ([()] if shutil.which("likwid-bench") else [])
for extra in sources:
    with tempfile.TemporaryDirectory() as tmp:
        doc = probe(tmp, *extra)
        if not doc:
            continue
        want = "built-in" if extra else "likwid-bench"
        expect(doc["source"]["bandwidth"].startswith(want) and doc["source"]["compute"].startswith(want),
               f"sources {doc['source']}")
        plan = doc["plan"]
        counts = [w["count"] for w in plan["workers"]]
        got = {(b["kind"], b["n"], b["workers"]) for b in doc["bandwidth"]}
        for s in plan["sizes"]:
            for w in counts:
                expect(("daxpy", s["n"], w) in got, f"{want}: no daxpy at n={s['n']} workers={w}")
                if s.get("target"):
                    expect(("copy", s["n"], w) in got and ("load", s["n"], w) in got,
                           f"{want}: no copy/load at n={s['n']} workers={w}")
        for b in doc["bandwidth"]:
            expect(b["gbps"] > 0 and b["source"].startswith(want), f"{want}: {b}")
            if b["kind"] == "daxpy" and b["workers"] > 1:  # its scaling, paired: 3 pairs at the targets, 2 between
                lo, hi = b["scaling_range"]
                expect(b["pairs"] == (3 if b.get("target") else 2) and lo <= b["scaling"] <= hi,
                       f"{want}: daxpy scaling {b}")
            expect(len(b["cpus"]) == b["workers"], f"{want}: cpus {b['cpus']} for {b['workers']} workers")
            expect(b["level"] in ("L2", "L3", "DRAM", "between"), f"level {b['level']}")
        flops = {c["workers"]: c for c in doc["compute"]}
        expect(sorted(flops) == counts, f"{want}: compute at {sorted(flops)}")
        expect(flops and abs(flops[1]["scaling"] - 1) < 1e-9 and all(c["gflops"] > 0 for c in flops.values()),
               f"{want}: compute {doc['compute']}")
        for c in flops.values():  # W > 1: the median of paired runs, inside their range
            if c["workers"] > 1:
                lo, hi = c["scaling_range"]
                expect(c["pairs"] == 5 and lo <= c["scaling"] <= hi, f"{want}: paired scaling {c}")
        # each kernel's own loop in L1 (built in whatever the source): every subject kernel at every
        # count past one, 3 pairs, the median inside their range, pinned like the sweep
        own = {(e["kernel"], e["workers"]): e for e in doc.get("incore", [])}
        subjects = ["motion", "trig", "starve"]
        expect(sorted(own) == sorted((k, w) for k in subjects for w in counts[1:]), f"{want}: incore at {sorted(own)}")
        for e in own.values():
            lo, hi = e["scaling_range"]
            expect(e["pairs"] == 3 and lo <= e["scaling"] <= hi and e["source"].startswith("built-in")
                   and len(e["cpus"]) == e["workers"], f"{want}: incore {e}")
        expect("available" in doc["likwid"], "the counters' state is recorded")
        expect(os.listdir(tmp) == ["probe.json"], f"left behind: {os.listdir(tmp)}")
done()
