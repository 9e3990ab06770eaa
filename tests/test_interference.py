#!/usr/bin/env python3
"""A CPU hog on one of the workers' CPUs during a small sweep: what the accounting sees. Every
point whose measured interference (the run delay of its workers, plus steal) passes explain's
own threshold is marked unstable, saying why; the hog is seen on the teams that share its CPU;
the points on the other CPU see less of it. Not a timing: how much of its CPU the hog takes
from a team is the scheduler's choice, and the test does not assume it. On this VM's kernel
(6.18, EEVDF) a team of the quick sweep (repetitions of 2-10 ms, its workers sleeping at the
barriers) often ran whole points before the hog got its CPU back, measuring no interference and
full speedup, both correct; CI once read 0.24 for one point. With the default sweep (25 ms
repetitions) and the hog pinned before the sweep starts, 34 of 36 shared points over 12 runs
read 0.37-0.57, and 2 in one run read 0.01. Usage: test_interference.py BENCH CEILINGS"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expect import done, expect  # noqa: E402

bench, ceilings = sys.argv[1:3]
HOG = "import os, sys\nos.sched_setaffinity(0, {int(sys.argv[1])})\nprint('pinned', flush=True)\nwhile True:\n    pass\n"

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
    # the L2 target where it fits the 2 MB cap (131000 elements on the EPYC VM), else the largest
    # size under it (190000 where an L2 holds 2 MiB: the target is 2.1 MB there)
    small = json.loads(subprocess.run([ceilings, "plan", "--sweep", "default", "--max-bytes", "2000000", "--json"],
                                      capture_output=True, text=True, timeout=60).stdout)["sizes"]
    n = next((s["n"] for s in small if s.get("target") == "L2"), max(s["n"] for s in small))
    hog = subprocess.Popen([sys.executable, "-c", HOG, str(others[0])], stdout=subprocess.PIPE, text=True)
    try:
        expect(hog.stdout.readline().strip() == "pinned", "the hog did not pin itself")
        r = subprocess.run([bench, "--sweep", "default", "--max-bytes", "2000000", "--results", out,
                            f"--benchmark_filter=^motion/(serial|omp|threads|proc)/batched/n:{n}/",
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
    busy = doc.get("thresholds", {}).get("trust", {}).get("busy")
    expect(busy is not None and 0 < busy < 1, f"thresholds.trust.busy: {busy}")
    busy = busy if busy is not None else 0.1
    seen = [p for p in shared if p["interference"] is not None and p["interference"] > busy]
    expect(seen, f"the hog on CPU {others[0]} seen on no team: {[(p['point'], p['interference']) for p in shared]}")
    for p in doc["points"]:
        flagged = any(x["check"] == "interference" for x in p.get("unstable_reasons", []))
        above = (p["interference"] or 0) + (p["steal"] or 0) > busy
        expect(flagged == above and (p["stable"] is False or not above),
               f"{p['point']}: interference {p['interference']}, steal {p['steal']} against {busy}, yet {p['verdict']}")
    most = max((p["interference"] for p in seen), default=1.0)
    for p in alone:
        expect(p["interference"] is not None and p["interference"] < most,
               f"{p['point']}: interference {p['interference']} on CPU {sorted(one)}, away from the hog")
    expect(doc.get("trust", {}).get("interference", {}).get("points_above", 0) >= len(seen),
           f"trust: {doc.get('trust', {}).get('interference')}")

sys.exit(done())
