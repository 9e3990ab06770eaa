#!/usr/bin/env python3
"""ceilings compare on recorded results folders: a folder against a copy of itself (every ratio 1,
no difference), against a folder from another machine (matched by target level and workers, the
ratio of ns per element-tick), and the one-line errors. Usage: test_compare.py CEILINGS REFERENCE [OTHER]
(OTHER: a results folder from another CPU; exits 77 when the build found no compare.py)"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expect import done, expect  # noqa: E402

ceilings, reference = sys.argv[1], sys.argv[2]
other = sys.argv[3] if len(sys.argv) > 3 else None


def compare(old, new):
    return subprocess.run([ceilings, "compare", old, new], capture_output=True, text=True, timeout=300)


def rows(folder):
    """{point: (old ns, new ns, ratio, p)} from compare.md."""
    out = {}
    for line in open(os.path.join(folder, "compare.md")):
        m = re.match(r"^\| (\S+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+|nan) \| (\S+) \|", line)
        if m:
            out[m[1]] = (float(m[2]), float(m[3]), float(m[4]), m[5])
    return out


def medians(folder):
    """{name: ns per element-tick of the median repetition} straight from bench.json."""
    doc = json.load(open(os.path.join(folder, "bench.json")))
    reps = {b["run_name"]: b.get("repetitions", 1) for b in doc["benchmarks"]}
    return {b["run_name"]: b["ns_per_elem_tick"] for b in doc["benchmarks"] if "ns_per_elem_tick" in b and
            (b.get("aggregate_name") == "median" or (b["run_type"] == "iteration" and reps[b["run_name"]] == 1))}


with tempfile.TemporaryDirectory() as tmp:
    a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    shutil.copytree(reference, a)
    shutil.copytree(reference, b)
    r = compare(a, b)
    if r.returncode == 1 and "compare.py was not found" in r.stderr:
        print(r.stderr.strip())
        sys.exit(77)
    expect(r.returncode == 0, f"compare with itself: exit {r.returncode}: {r.stderr[-800:]}")
    expect("OVERALL_GEOMEAN" in r.stdout, "compare.py's report is not printed")
    same = rows(b) if os.path.exists(os.path.join(b, "compare.md")) else {}
    expect(len(same) > 100, f"{len(same)} points matched against itself")
    expect(all(abs(v[2] - 1) < 1e-3 for v in same.values()), "a point against itself is not at ratio 1")
    expect(all(v[3] in ("1", "-") for v in same.values()), "a point against itself has a U-test p below 1")
    expect(os.path.getsize(os.path.join(b, "compare.png")) > 1000, "no plot")

    if other:
        o = os.path.join(tmp, "other")
        shutil.copytree(other, o)
        r = compare(a, o)
        expect(r.returncode == 0, f"compare across machines: exit {r.returncode}: {r.stderr[-800:]}")
        got = rows(o) if r.returncode == 0 else {}
        ref, oth = medians(a), medians(o)
        for level in ("L2", "L3", "DRAM"):
            for w in (1, 2):
                key = f"motion/omp/batched/{level}/workers:{w}"
                expect(key in got, f"{key} not matched across machines")
        for point, (old_ns, new_ns, ratio, _) in got.items():
            expect(abs(ratio - new_ns / old_ns) < 0.01 * ratio, f"{point}: ratio {ratio} but {new_ns}/{old_ns}")
        # the ratio is that of the points' own ns per element-tick, whatever N each machine chose
        plan_a = {s["target"]: s["n"] for s in json.load(open(os.path.join(a, "plan.json")))["sizes"] if s.get("target")}
        plan_o = {s["target"]: s["n"] for s in json.load(open(os.path.join(o, "plan.json")))["sizes"] if s.get("target")}
        for point, (_, _, ratio, _) in got.items():
            k, v, m, level, w = point.split("/")
            if level in plan_a:
                want = oth[f"{k}/{v}/{m}/n:{plan_o[level]}/{w}"] / ref[f"{k}/{v}/{m}/n:{plan_a[level]}/{w}"]
                expect(abs(ratio - want) < 0.01 * want, f"{point}: ratio {ratio}, ns per element-tick {want}")

    os.mkdir(os.path.join(tmp, "empty"))
    r = compare(os.path.join(tmp, "empty"), b)
    expect(r.returncode == 2 and "bench.json" in r.stderr and r.stderr.count("\n") == 1, f"no bench.json: {r.stderr}")
    lone = os.path.join(tmp, "lone")
    os.mkdir(lone)
    doc = json.load(open(os.path.join(reference, "bench.json")))
    doc["benchmarks"] = [x for x in doc["benchmarks"] if x["run_name"].startswith("motion/serial/batched/n:4100/")]
    json.dump(doc, open(os.path.join(lone, "bench.json"), "w"))
    rest = os.path.join(tmp, "rest")
    os.mkdir(rest)
    doc2 = json.load(open(os.path.join(reference, "bench.json")))
    doc2["benchmarks"] = [x for x in doc2["benchmarks"] if x["run_name"].startswith("trig/omp/")]
    json.dump(doc2, open(os.path.join(rest, "bench.json"), "w"))
    r = compare(lone, rest)
    expect(r.returncode == 2 and "nothing in common" in r.stderr.replace("no point in common", "nothing in common"),
           f"nothing in common: exit {r.returncode} {r.stderr}")
done()
