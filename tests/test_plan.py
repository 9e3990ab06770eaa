#!/usr/bin/env python3
"""The planner on real topologies: worker counts, pin order, cache targets, memory limits, and
the JSON keys other tools read. Usage: test_plan.py CEILINGS DATA_DIR"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expect import done, expect  # noqa: E402

ceilings, data = sys.argv[1], sys.argv[2]


def plan(*args):
    out = subprocess.run([ceilings, "plan", "--json", *args], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise SystemExit(f"ceilings plan {' '.join(args)}: exit {out.returncode}: {out.stderr}")
    return json.loads(out.stdout)


def check_common(p, name):
    topo = p["topology"]
    for key in ("packages", "cores", "pus", "l2_bytes", "l3_bytes", "numa_nodes"):
        expect(isinstance(topo.get(key), int), f"{name}: topology.{key} missing")
    counts = [w["count"] for w in p["workers"]]
    expect(counts == sorted(set(counts)), f"{name}: worker counts not increasing: {counts}")
    for w in p["workers"]:
        expect(len(w["cpus"]) == w["count"] and len(set(w["cpus"])) == w["count"],
               f"{name}: workers {w['count']} have cpus {w['cpus']}")
        # physical cores first: as many distinct cores as workers, up to the core count
        expect(w["cores"] == min(w["count"], topo["cores"]), f"{name}: {w['count']} workers on {w['cores']} cores")
    top = p["workers"][-1]
    llc = p["llc_bytes"]
    for s in p["sizes"]:
        expect(s["bytes"] == s["n"] * p["footprint_bytes_per_elem"], f"{name}: bytes of n={s['n']}")
        expect(s["level"] in ("L2", "L3", "DRAM", "between"), f"{name}: level {s['level']}")
        expect(len(s["levels"]) == len(p["workers"]), f"{name}: levels of n={s['n']}")
        expect(s["levels"][-1]["level"] == s["level"], f"{name}: level is not the top count's")
    targets = {s["target"]: s for s in p["sizes"] if s.get("target")}
    if "L2" in targets:
        expect(targets["L2"]["bytes"] <= top["l2_bytes"] / 2, f"{name}: L2 target above half the L2 used")
        expect(targets["L2"]["level"] == "L2", f"{name}: L2 target classified {targets['L2']['level']}")
    if "L3" in targets:
        t = targets["L3"]["bytes"]
        expect(top["l2_bytes"] < t <= top["l3_bytes"], f"{name}: L3 target {t} not between L2 and L3")
        expect(targets["L3"]["level"] == "L3", f"{name}: L3 target classified {targets['L3']['level']}")
    if "DRAM" in targets:
        expect(targets["DRAM"]["bytes"] >= 4 * llc, f"{name}: DRAM target below 4x LLC ({llc})")
        expect(targets["DRAM"]["level"] == "DRAM", f"{name}: DRAM target classified {targets['DRAM']['level']}")
    return counts, targets


# Intel E5-2650 x2: 16 cores, 32 PUs; the first 16 workers take one PU per core
p = plan("--topology", f"{data}/hwloc/32em64t-2n8c2t-pci-noio.xml")
counts, targets = check_common(p, "E5-2650")
t = p["topology"]
expect((t["packages"], t["cores"], t["pus"], t["numa_nodes"]) == (2, 16, 32, 2), f"E5-2650 topology {t}")
expect((t["l2_bytes"], t["l3_bytes"], t["l3_count"]) == (256 << 10, 20 << 20, 2), f"E5-2650 caches {t}")
expect(t["smt"] is True, "E5-2650: SMT not seen")
expect(counts == [1, 2, 4, 8, 16, 32], f"E5-2650 worker counts {counts}")
expect(set(targets) == {"L2", "L3", "DRAM"}, f"E5-2650 targets {sorted(targets)}")
expect(p["workers"][4]["l3_bytes"] == 40 << 20, "E5-2650: 16 workers should use both L3s")
expect(p["workers"][3]["l3_bytes"] == 20 << 20, "E5-2650: 8 workers should use one socket's L3")
expect(p["memory"]["bytes"] == t["numa_memory_bytes"] > 60e9, f"E5-2650 memory {p['memory']}")
expect(len(p["sizes"]) >= 10, f"E5-2650 default sweep has {len(p['sizes'])} sizes")

# AMD EPYC 7451 x2: 16 L3s of 8 MiB (one per 3-core CCX), no memory in the file
p = plan("--topology", f"{data}/hwloc/AMD-17h-Zen-2xEpyc-7451.xml", "--sweep", "quick")
counts, targets = check_common(p, "EPYC 7451")
t = p["topology"]
expect((t["packages"], t["cores"], t["pus"], t["numa_nodes"]) == (2, 48, 96, 8), f"EPYC topology {t}")
expect((t["l3_bytes"], t["l3_count"]) == (8 << 20, 16), f"EPYC caches {t}")
expect(counts == [1, 2, 4, 8, 16, 32, 48, 96], f"EPYC worker counts {counts}")
expect(p["workers"][0]["l3_bytes"] == 8 << 20 and p["workers"][2]["l3_bytes"] == 16 << 20,
       "EPYC: 4 compact workers should span two CCX L3s")
expect(p["memory"]["bytes"] == 0 and any("memory unknown" in n for n in p["notes"]),
       "EPYC: unknown memory should be said")
# the three targets, and half of one worker's L2 (512 KiB), since the L2 target (half of 96
# workers' L2s) fills 48 of them: the model's in-core time needs a size one L2 holds
expect(len(p["sizes"]) == 4 and not p["sizes"][0].get("target") and p["sizes"][0]["bytes"] <= 256 << 10,
       f"EPYC quick sweep has sizes {[(s['n'], s.get('target')) for s in p['sizes']]}")

# The 16-vCPU Intel Xeon (family 6 model 207) under Firecracker that made
# reports/vm-16vcpu-emerald-rapids: one L3 of 300 MiB, 2 MiB of L2 per vCPU, no SMT shown. The
# machine's own quick plan (that folder's plan.json) chose n = 2,090,000 and 12,800,000 for the L2
# and L3 targets and 158,000,000 for DRAM, with 125 GiB available. Its lstopo export gives its one
# NUMA node 4.5 GiB, so planned from the file the DRAM target does not fit, and the plan says why.
p = plan("--topology", f"{data}/hwloc/xeon-207-16vcpu-firecracker.xml", "--sweep", "quick")
counts, targets = check_common(p, "Xeon 207")
t = p["topology"]
expect((t["packages"], t["cores"], t["pus"], t["numa_nodes"], t["smt"]) == (1, 16, 16, 1, False),
       f"Xeon 207 topology {t}")
expect((t["l2_bytes"], t["l2_count"], t["l3_bytes"], t["l3_count"]) == (2 << 20, 16, 300 << 20, 1),
       f"Xeon 207 caches {t}")
expect(counts == [1, 2, 4, 8, 16], f"Xeon 207 worker counts {counts}")
expect({k: v["n"] for k, v in targets.items()} == {"L2": 2090000, "L3": 12800000},
       f"Xeon 207 targets {targets}")
expect([lv["level"] for lv in targets["L2"]["levels"]] == ["L3", "L3", "L3", "L2", "L2"],
       "Xeon 207: the L2 target fits the L2 of 8 workers and more only")
# so the quick plan adds half of one worker's L2 (the in-core time of the model; the run of
# reports/vm-16vcpu-emerald-rapids-5reps had none, and explain warned)
first = p["sizes"][0]
expect(first["n"] == 131000 and not first.get("target") and first["bytes"] <= 1 << 20
       and [lv["level"] for lv in first["levels"]] == ["L2"] * 5, f"Xeon 207: the in-core size {first}")
expect(p["memory"]["bytes"] == 4793548800 and any("158000000" in n and "memory" in n for n in p["notes"]),
       f"Xeon 207: the DRAM target should be skipped for the file's 4.5 GiB and said: {p['notes']}")

# a size cap skips the DRAM target and says so
p = plan("--topology", f"{data}/hwloc/32em64t-2n8c2t-pci-noio.xml", "--sweep", "quick", "--max-bytes", "64000000")
expect(all(s["bytes"] <= 64e6 for s in p["sizes"]), "--max-bytes not applied")
expect("DRAM" not in {s.get("target") for s in p["sizes"]}, "DRAM target kept above the cap")
expect(any("cap" in n for n in p["notes"]), "the skipped size is not noted")

# this machine: planned and within its memory: the sweep holds one size's team, serial pair and
# reference at a time, or the reference and a launched job (about 3): 4 footprints at the largest
p = plan("--sweep", "full")
check_common(p, "this machine")
need = 4 * max(s["bytes"] for s in p["sizes"])
expect(need <= 0.8 * p["memory"]["bytes"], "this machine: the plan does not fit its memory")

# priced and fitted to the budget, on every topology here: the default sweep's estimate within its
# budget, the points in the sweep's order (every kernel's target levels batched first), those
# that fit a prefix, every point named once
for f in sorted(os.listdir(f"{data}/hwloc")):
    p = plan("--topology", f"{data}/hwloc/{f}")
    names = [q["name"] for q in p["points"]]
    fits = [q["in_budget"] for q in p["points"]]
    expect(p["budget_s"] == 600 and 0 < p["estimate_s"] <= p["budget_s"], f"{f}: estimate {p['estimate_s']}, budget {p['budget_s']}")
    expect(len(set(names)) == len(names) and fits == sorted(fits, reverse=True) and sum(fits) == len(fits) - p["left_out"]["points"],
           f"{f}: the points in budget are not a prefix, or a point is named twice")
    targets = {s["n"]: s["target"] for s in p["sizes"] if s.get("target")}
    first = [n for n in names if "/batched/" in n and int(n.split("/n:")[1].split("/")[0]) in targets
             and n.split("/")[1] in ("serial", "omp", "proc", "threads")]
    expect(names[:len(first)] == first and {n.split("/")[0] for n in first} >= {"motion", "trig", "starve"},
           f"{f}: the target levels batched do not come first: {names[:3]}")
    expect(p["left_out"]["budget_s_for_all"] >= p["estimate_s"], f"{f}: {p['left_out']}")
p = plan("--sweep", "full")
expect(p["budget_s"] is None and p["left_out"]["points"] == 0 and all(q["in_budget"] for q in p["points"]),
       "the full sweep has no budget")

# a file that is not a topology is a usage error naming the option
r = subprocess.run([ceilings, "plan", "--topology", f"{data}/SOURCES.md"], capture_output=True, text=True)
expect(r.returncode == 2 and "--topology" in r.stderr, f"bad topology: exit {r.returncode}: {r.stderr}")

done()
