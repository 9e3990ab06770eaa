#!/usr/bin/env python3
"""ceilings explain on the sweep recorded on the 2-vCPU build machine (reports/vm-2vcpu-sapphire-rapids):
the verdicts the ceilings issue names must come out of the real numbers, every point gets one
of the verdicts, knees are found, and a folder without its probe says what that costs.
Usage: test_explain.py CEILINGS RESULTS_DIR"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expect import done, expect  # noqa: E402

ceilings, recorded = sys.argv[1], sys.argv[2]
ALLOWED = {"bandwidth", "compute", "dispatch", "unexplained"}



def explain(folder):
    r = subprocess.run([ceilings, "explain", folder, "--json"], capture_output=True, text=True, timeout=120)
    expect(r.returncode == 0, f"explain {folder}: exit {r.returncode}: {r.stderr}")
    return json.loads(r.stdout) if r.returncode == 0 else {"points": [], "knees": [], "missing": []}


with tempfile.TemporaryDirectory() as tmp:
    folder = os.path.join(tmp, "r")
    shutil.copytree(recorded, folder)
    doc = explain(folder)
    expect(os.path.exists(os.path.join(folder, "verdicts.json")), "no verdicts.json written")
    plan = json.load(open(os.path.join(folder, "plan.json")))
    top = plan["workers"][-1]["count"]
    target = {s["target"]: s["n"] for s in plan["sizes"] if s.get("target")}
    small = min(s["n"] for s in plan["sizes"])
    points = {p["point"]: p for p in doc["points"]}
    expect(points, "no points explained")
    for p in doc["points"]:
        expect(p["bound"] in ALLOWED, f"{p['point']}: bound {p['bound']}")
        expect(p.get("why"), f"{p['point']}: no reason given")

    # the three: motion at DRAM at the top worker count, trig at L2, per-tick processes at small N
    for variant in ("omp", "proc", "mpi"):  # the recorded sweep has MPI points (see data/SOURCES.md)
        for mode in ("batched", "pertick"):
            v = points.get(f"motion/{variant}/{mode}/n:{target['DRAM']}/workers:{top}")
            expect(v and v["verdict"].startswith("bandwidth-bound (DRAM)"), f"motion DRAM {variant} {mode}: {v and v['verdict']}")
    for variant in ("serial", "omp", "proc", "mpi"):
        for w in ([1] if variant == "serial" else [w["count"] for w in plan["workers"]]):
            v = points.get(f"trig/{variant}/batched/n:{target['L2']}/workers:{w}")
            expect(v and v["bound"] == "compute", f"trig L2 {variant} {w}: {v and v['verdict']}")
    v = points.get(f"motion/proc/pertick/n:{small}/workers:{top}")
    expect(v and v["bound"] == "dispatch" and v["dispatch_share"] >= 0.5, f"proc pertick at n={small}: {v}")
    # the numbers behind a verdict are the sweep's and the probe's
    v = points.get(f"motion/proc/batched/n:{target['DRAM']}/workers:{top}")
    expect(v, f"motion/proc/batched/n:{target['DRAM']}/workers:{top} is missing")
    if v:
        expect(abs(v["bandwidth_fraction"] - v["gbps"] / v["bandwidth_ceiling_gbps"]) < 1e-9, "fraction arithmetic")
    expect(doc["knees"] and all(k["knee_workers"] is None or k["knee_workers"] in [w["count"] for w in plan["workers"]]
                                for k in doc["knees"]), "knees")
    expect(any(k["knee_workers"] == 1 for k in doc["knees"] if k["n"] == small and k["mode"] == "pertick"),
           "per-tick runs at the smallest size should have their knee at 1 worker")
    counters = json.load(open(os.path.join(folder, "profile.json")))["counters"]
    if not counters["available"]:
        expect(any("counters unavailable" in m for m in doc["missing"]), f"missing: {doc['missing']}")
        expect(not any("counters" in p for p in doc["points"]), "counter fields without counters")

    expect(doc.get("partial") is False, f"a complete sweep explained as partial: {doc.get('partial')}")

    # an interrupted sweep (bench.json's context says partial): said first, with the reason
    path = os.path.join(folder, "bench.json")
    bench = json.load(open(path))
    bench["context"].update(partial=True, partial_reason="interrupted by signal 2 (Interrupt) after 61 s")
    json.dump(bench, open(path, "w"))
    doc = explain(folder)
    expect(doc.get("partial") is True and doc["missing"] and "partial" in doc["missing"][0]
           and "signal 2" in doc["missing"][0] and "--resume" in doc["missing"][0], f"partial: {doc['missing'][:1]}")

    # without the probe: no ceilings, said so, and no bandwidth or compute verdict
    os.remove(os.path.join(folder, "probe.json"))
    doc = explain(folder)
    expect(any(m.startswith("probe.json") for m in doc["missing"]), f"missing: {doc['missing']}")
    expect(all(p["bound"] in ("dispatch", "unexplained") for p in doc["points"]), "verdicts without ceilings")

    # no bench.json: a usage error naming the folder
    r = subprocess.run([ceilings, "explain", tmp], capture_output=True, text=True)
    expect(r.returncode == 2 and "bench.json" in r.stderr, f"empty folder: {r.returncode} {r.stderr}")
done()
