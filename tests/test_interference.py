#!/usr/bin/env python3
"""A CPU hog on one of the workers' CPUs during a small sweep: the points whose team shared
that CPU carry a measured interference share (the run delay of their workers) and come out
unstable, saying why; the points on the other CPU measure none of it. A contract on what the
accounting sees, not a timing. Usage: test_interference.py BENCH CEILINGS"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expect import done, expect  # noqa: E402

bench, ceilings = sys.argv[1:3]
HOG = "import os, sys\nos.sched_setaffinity(0, {int(sys.argv[1])})\nwhile True:\n    pass\n"

with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "r")
    plan = json.loads(subprocess.run([ceilings, "plan", "--sweep", "quick", "--json"], capture_output=True,
                                     text=True, timeout=60).stdout)
    one = set(plan["workers"][0]["cpus"])
    top = plan["workers"][-1]
    others = [c for c in top["cpus"] if c not in one]
    if not others:
        print("SKIP: one CPU only: no CPU a team uses beyond the first")
        sys.exit(77)
    hog = subprocess.Popen([sys.executable, "-c", HOG, str(others[0])])
    try:
        r = subprocess.run([bench, "--sweep", "quick", "--max-bytes", "2000000", "--results", out,
                            "--benchmark_filter=^motion/(serial|omp|threads|proc)/batched/n:131000/",
                            "--benchmark_repetitions=3"], capture_output=True, text=True, timeout=240)
    finally:
        hog.kill()
        hog.wait()
    expect(r.returncode == 0, f"bench exit {r.returncode}: {r.stderr[-400:]}")
    e = subprocess.run([ceilings, "explain", out, "--json"], capture_output=True, text=True, timeout=60)
    expect(e.returncode == 0, f"explain exit {e.returncode}: {e.stderr}")
    doc = json.loads(e.stdout) if e.returncode == 0 else {"points": []}
    shared = [p for p in doc["points"] if p["workers"] == top["count"]]
    alone = [p for p in doc["points"] if p["workers"] == 1]
    expect(len(shared) == 3 and alone, f"points: {[p['point'] for p in doc['points']]}")
    for p in shared:
        expect(p["interference"] is not None and p["interference"] > 0.3,
               f"{p['point']}: interference {p['interference']} with a hog on CPU {others[0]}")
        expect(not p["stable"] and any(x["check"] == "interference" for x in p.get("unstable_reasons", [])),
               f"{p['point']}: not marked unstable by the hog: {p['verdict']}")
    for p in alone:
        expect(p["interference"] is not None and p["interference"] < 0.3,
               f"{p['point']}: interference {p['interference']} on CPU {sorted(one)}, away from the hog")
    expect(doc.get("trust", {}).get("interference", {}).get("points_above", 0) >= len(shared),
           f"trust: {doc.get('trust', {}).get('interference')}")

sys.exit(done())
