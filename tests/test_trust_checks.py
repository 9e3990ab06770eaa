#!/usr/bin/env python3
"""The physics checks of `ceilings explain` on recorded folders: on the Sapphire Rapids
reference (a quiet machine: 1-worker teams within 10% of serial at every size) none of the
identities fires; on the AMD EPYC sweep recorded before pairing (data/results-epyc-unpaired,
1-worker teams 0.8x to 1.2x serial) they fire, and the points say why. Every point carries
the trust keys, and the top level counts them.
Usage: test_trust_checks.py CEILINGS QUIET_FOLDER NOISY_FOLDER"""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expect import done, expect, explain_copy  # noqa: E402

ceilings, quiet, noisy = sys.argv[1:4]
PHYSICS = {"one_worker", "level", "superlinear", "passes"}


def explain(recorded):
    return explain_copy(ceilings, recorded) or {"points": [], "trust": {}}


def fired(doc):
    return [(p["point"], x["check"], x["why"]) for p in doc["points"] for x in p.get("unstable_reasons", [])
            if x["check"] in PHYSICS]


for name, doc in (("quiet", explain(quiet)), ("noisy", explain(noisy))):
    t = doc.get("trust", {})
    expect(t.get("points") == len(doc["points"]), f"{name}: trust counts {t.get('points')} of {len(doc['points'])}")
    expect(t.get("stable", -1) + t.get("unstable", -1) == t.get("points"), f"{name}: stable + unstable != points")
    for p in doc["points"]:
        expect({"stable", "spread", "interference", "steal"} <= set(p), f"{name}: {p['point']} lacks a trust key")
        if not p["stable"] and p["bound"] != "failed":
            expect(p.get("unstable_reasons") and "unstable: " in p["verdict"],
                   f"{name}: {p['point']} unstable without saying so: {p['verdict']}")
        if p["stable"]:
            expect("unstable" not in p["verdict"], f"{name}: {p['point']}: {p['verdict']}")
    # an older folder measured neither: null, and the advice says so
    expect(all(p["interference"] is None and p["steal"] is None for p in doc["points"]),
           f"{name}: interference invented for a folder that never measured it")
    expect(t.get("interference") is None and "older folder" in t.get("advice", ""), f"{name}: {t.get('advice')}")
    summary = doc.get("summary", {})
    expect(summary.get("unstable", 0) == sum(1 for p in doc["points"] if not p["stable"] and p["bound"] != "failed"),
           f"{name}: summary counts unstable points as verdicts: {summary}")
    if name == "quiet":
        expect(not fired(doc), f"quiet: the identities fired on a quiet machine: {fired(doc)[:5]}")
    else:
        f = fired(doc)
        one = [x for x in f if x[1] == "one_worker"]
        expect(len(one) >= 10, f"noisy: only {len(one)} 1-worker teams off serial flagged")
        expect(all("/workers:1" in p and "x serial" in why for p, _, why in one), f"noisy: {one[:3]}")
        # the rule itself: every batched 1-worker point of our loop more than 10% off is flagged
        for p in doc["points"]:
            off = p["mode"] == "batched" and p["workers"] == 1 and p["variant"] in ("omp", "threads", "proc", "mpi") \
                and abs(p.get("speedup", 1) - 1) > 0.10
            expect(not off or any(x[0] == p["point"] and x[1] == "one_worker" for x in f),
                   f"noisy: {p['point']} at {p.get('speedup')}x serial not flagged")

# The co-run test around each team repetition (counters "corun_before" and "corun": the same FMA
# loop on all the team's CPUs against one alone): a repetition that found a core shared (a ratio
# 1.5 times the sweep's usual at its worker count, before or after it) is left out of its point's
# median, which the others then give; a point where more than half did is unstable. The trust
# summary and its timeline count them. Written into a copy of the quiet folder: most of one
# point's repetitions, one of another's (before it), every other 2-worker team's near 1.
with tempfile.TemporaryDirectory() as tmp:
    copy = os.path.join(tmp, "c")
    shutil.copytree(quiet, copy)
    path = os.path.join(copy, "bench.json")
    bench = json.load(open(path))
    reps = {}
    for r in bench["benchmarks"]:
        if r.get("run_type") == "iteration" and "/batched/" in r["run_name"] and r["run_name"].endswith("/workers:2"):
            reps.setdefault(r["run_name"], []).append(r)
    names = [n for n, v in reps.items() if len(v) >= 4][:2]
    many, few = names
    teams = [r for r in bench["benchmarks"] if r.get("run_type") == "iteration" and "/serial/" not in r["run_name"]
             and r["run_name"].endswith("/workers:2") and ("/batched/" in r["run_name"] or "/pertick/" in r["run_name"])]
    for i, r in enumerate(teams):
        r["corun"] = 1.0 + 0.01 * (i % 5)
        r["at_s"] = 90.0
    n_many = len(reps[many]) // 2 + 1
    for i, r in enumerate(reps[many]):
        r["corun"] = 1.9 if i < n_many else 1.02
        r["at_s"] = 30.0 + i
    for i, r in enumerate(reps[few]):  # paired here (this folder predates pairs): the shared one ran slow
        r["corun_before"] = 1.9 if i == 0 else 1.01
        r["corun"] = 1.02
        r["at_s"] = 30.0 + i
        r["pair_order"] = -1 if i % 2 == 0 else 1
        r["speedup"] = 0.5 if i == 0 else 1.8 + 0.05 * i
    json.dump(bench, open(path, "w"))
    doc = explain(copy)
    by = {p["point"]: p for p in doc["points"]}
    why = [x["why"] for x in by.get(many, {}).get("unstable_reasons", []) if x["check"] == "shared_core"]
    expect(why and why[0].startswith(f"{n_many} of {len(reps[many])} repetitions ran while its CPUs shared a core")
           and "1.9x" in why[0] and "too many to leave out" in why[0] and not by[many]["stable"],
           f"shared core: {many}: {why}")
    expect("shared_core_left_out" not in by[many], f"shared core: {many} left some out: {by[many]}")
    p = by.get(few, {})
    expect(not any(x["check"] == "shared_core" for x in p.get("unstable_reasons", [])),
           f"shared core: {few}, one of {len(reps[few])}, flagged")
    clean = sorted(r["speedup"] for r in reps[few][1:])
    m = len(clean) // 2
    median = clean[m] if len(clean) % 2 else (clean[m - 1] + clean[m]) / 2
    expect(p.get("shared_core_left_out") == 1 and p.get("repetitions") == len(reps[few]) - 1
           and abs(p.get("speedup", 0) - median) < 1e-9 * median,
           f"shared core: {few}: left out {p.get('shared_core_left_out')}, {p.get('repetitions')} repetitions, "
           f"speedup {p.get('speedup')} against the others' median {median}")
    t = doc.get("trust", {})
    tested = len(teams)
    expect(t.get("shared_core", {}).get("tested") == tested and t["shared_core"].get("shared") == n_many + 1
           and t["shared_core"].get("left_out") == 1, f"shared core: summary {t.get('shared_core')}")
    minute = [m for m in t.get("timeline", []) if m["minute"] == 0]
    tested0 = len(reps[many]) + len(reps[few])
    expect(minute and minute[0].get("shared_core") == {"tested": tested0, "shared": n_many + 1},
           f"shared core: timeline {minute}")
    usual = {u["workers"]: u["ratio"] for u in t.get("shared_core", {}).get("usual", [])}
    expect(list(usual) == [2] and 1.0 <= usual[2] <= 1.04, f"shared core: usual {usual}")
    expect(t.get("checks", {}).get("shared_core") == 1, f"shared core: checks {t.get('checks')}")
# Where the vCPUs share cores as a rule (the 16-vCPU Xeon at 16 workers: a median 1.85 in every
# repetition), that is the machine, not an episode: nothing is left out, nothing flagged.
with tempfile.TemporaryDirectory() as tmp:
    copy = os.path.join(tmp, "c")
    shutil.copytree(quiet, copy)
    path = os.path.join(copy, "bench.json")
    bench = json.load(open(path))
    for i, r in enumerate(r for r in bench["benchmarks"] if r.get("run_type") == "iteration"
                          and "/serial/" not in r["run_name"] and r["run_name"].endswith("/workers:2")):
        r["corun"] = 1.8 + 0.05 * (i % 3)
    json.dump(bench, open(path, "w"))
    doc = explain(copy)
    t = doc.get("trust", {}).get("shared_core", {})
    expect(t.get("shared") == 0 and t.get("tested", 0) > 0 and 1.8 <= t["usual"][0]["ratio"] <= 1.9
           and not any(x["check"] == "shared_core" for p in doc["points"] for x in p.get("unstable_reasons", [])),
           f"shared core as a rule: {t}")
expect("shared_core" not in explain(quiet).get("trust", {}), "shared core: a folder without the test has a summary")

sys.exit(done())
