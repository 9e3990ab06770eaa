#!/usr/bin/env python3
"""The report generator on a recorded results folder: every plot (PNG) and a report
naming every N; and on a folder holding only bench.json, a report that says what is missing.
Usage: test_report.py PYTHON_WITH_MATPLOTLIB REPORT_SCRIPT RESULTS_DIR [FOLDER_WITHOUT_DRAM_TARGET]
(PYTHON "" skips: 77)"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expect import done, expect  # noqa: E402

python, script, recorded = sys.argv[1], sys.argv[2], sys.argv[3]
if not python:
    print("no Python that can import matplotlib was found at configure time: report not tested")
    sys.exit(77)



def report(folder):
    r = subprocess.run([python, script, folder], capture_output=True, text=True, timeout=600)
    expect(r.returncode == 0, f"report {folder}: exit {r.returncode}: {r.stderr[-1500:]}")
    path = os.path.join(folder, "report.md")
    return r, (open(path).read() if os.path.exists(path) else "")


with tempfile.TemporaryDirectory() as tmp:
    folder = os.path.join(tmp, "full")
    shutil.copytree(recorded, folder)
    plan = json.load(open(os.path.join(folder, "plan.json")))
    ns = [s["n"] for s in plan["sizes"]]
    r, text = report(folder)
    stems = ["ceiling-vs-n", "dispatch", "roofline"] + [f"{k}-n{n}" for n in ns for k in ("gbps", "speedup")]
    for stem in stems:
        path = os.path.join(folder, f"{stem}.png")
        expect(os.path.exists(path) and os.path.getsize(path) > 1000, f"plot {stem}.png missing or empty")
    expect(not [f for f in os.listdir(folder) if f.endswith(".svg")], "an SVG was written: plots are PNG only")
    for n in ns:
        expect(f"n = {n} (" in text, f"the report does not name n = {n}")
    for heading in ("## The machine", "## Ceilings", "## Where the speedup stops", "## Threads or processes?",
                    "## Against the book", "## Dispatch and start-up", "## Noise", "## Every size"):
        expect(heading in text, f"no section {heading!r}")
    expect("4.45x" in text and "5.49x" in text, "the book's figures are not quoted")
    expect("nan" not in text.lower().replace("nanosec", ""), "a NaN reached the report")
    expect("![roofline](roofline.png)" in text, "the roofline is not shown")
    expect("bandwidth-bound (DRAM)" in text and "compute-bound" in text, "verdicts not in the report")
    expect(not [f for f in os.listdir(folder) if f.endswith(".part")], "a .part file was left")
    # every variant of the table the folder carries stands in the verdicts, the dispatch table and
    # the team comparison, under the label the table gives it (the recorded sweep has MPI points)
    variants = json.load(open(os.path.join(folder, "verdicts.json"))).get("variants") or []
    expect(len(variants) >= 4, f"the folder's variant table: {variants}")
    for v in variants:
        if v.get("reference"):
            continue
        for mode in v["modes"]:
            label = f"{v['label']}, {'per tick' if mode == 'pertick' else mode}"
            expect(f"| {label} |" in text, f"no {label!r} rows in the verdicts")
        expect(f"| {v['label']} (`{v['name']}`) |" in text, f"no {v['name']} in threads or processes")
        for b in v["barriers"][1:]:
            expect(f"| {v['name']}-{b}: " in text, f"no {v['name']}-{b} row in the dispatch table")

    # a probe that ran each kernel's own loop in L1 (incore): a row per kernel in the ceilings
    expect("own loop: scaling" not in text, "an own-loop row from a probe without incore")
    probe = json.load(open(os.path.join(folder, "probe.json")))
    counts = [w["count"] for w in plan["workers"]]
    probe["incore"] = [{"kernel": "trig", "workers": w, "scaling": 1.23 * w / 2, "pairs": 3} for w in counts[1:]]
    json.dump(probe, open(os.path.join(folder, "probe.json"), "w"))
    r, text = report(folder)
    row = "| L1 | trig's own loop: scaling | 1.00 | " + " | ".join(f"{1.23 * w / 2:.2f}" for w in counts[1:]) + " |"
    expect(row in text, f"no row {row!r} in the ceilings")

    # only bench.json: still a report, which says what each missing part costs
    bare = os.path.join(tmp, "bare")
    os.mkdir(bare)
    shutil.copy(os.path.join(recorded, "bench.json"), bare)
    r, text = report(bare)
    for part in ("probe.json", "plan.json", "verdicts.json", "profile.json"):
        expect(f"missing: {part}" in text, f"the bare report does not say {part} is missing")
    expect(os.path.exists(os.path.join(bare, "roofline.png")) and os.path.exists(os.path.join(bare, "dispatch.png")),
           "plots missing in the bare report")
    expect("## Ceilings\n\nNot measured" in text, "the bare report should say the ceilings were not measured")

    r = subprocess.run([python, script, os.path.join(tmp, "nowhere")], capture_output=True, text=True)
    expect(r.returncode == 2, f"a missing folder: exit {r.returncode}")

# the trust section says how often the co-run test found a core shared, and in which minutes
verdicts = json.load(open(os.path.join(recorded, "verdicts.json")))
verdicts["trust"]["shared_core"] = {"tested": 200, "shared": 14, "left_out": 11, "threshold": 1.5,
                                    "usual": [{"workers": 8, "ratio": 1.16}, {"workers": 16, "ratio": 1.85}]}
verdicts["trust"]["timeline"] = [{"minute": 3, "repetitions": 40, "interference_mean": 0, "interference_max": 0,
                                  "steal_mean": 0, "shared_core": {"tested": 20, "shared": 9}}]
code = ("import json, sys, types; sys.path.insert(0, sys.argv[1]); import report; "
        "print(report.trust_section(types.SimpleNamespace(verdicts=json.loads(sys.stdin.read()))))")
r = subprocess.run([python, "-c", code, os.path.dirname(os.path.abspath(script))], input=json.dumps(verdicts),
                   capture_output=True, text=True, timeout=120)
expect(r.returncode == 0 and "found a core shared 14 times (7.0%" in r.stdout and "minute 3 (9 of 20)" in r.stdout
       and "11 of those repetitions were left out of their points' medians" in r.stdout
       and "as a rule at 16 workers (1.85x" in r.stdout and "8 workers" not in r.stdout,
       f"trust section: {r.returncode} {r.stdout[-600:]} {r.stderr[-600:]}")
# where explain left a point's shared-core repetitions out of its median, the report's figures
# are explain's and its repetitions the others (results.py); elsewhere bench.json's medians
with tempfile.TemporaryDirectory() as tmp:
    folder = os.path.join(tmp, "s")
    shutil.copytree(recorded, folder)
    bench = json.load(open(os.path.join(folder, "bench.json")))
    verdicts = json.load(open(os.path.join(folder, "verdicts.json")))
    team = next(v for v in verdicts["points"] if v["workers"] == 2 and v["mode"] == "batched" and v.get("gbps"))
    other = next(v for v in verdicts["points"] if v["workers"] == 2 and v["mode"] == "batched" and v.get("gbps")
                 and v["point"] != team["point"])
    reps = [b for b in bench["benchmarks"] if b.get("run_type") == "iteration" and b["run_name"] == team["point"]]
    reps[0]["corun"] = 1.9
    was = team["gbps"]
    team["gbps"], team["speedup"], team["shared_core_left_out"] = was * 1.25, 3.5, 1
    verdicts["trust"]["shared_core"] = {"tested": 10, "shared": 1, "left_out": 1, "threshold": 1.5, "usual": []}
    json.dump(bench, open(os.path.join(folder, "bench.json"), "w"))
    json.dump(verdicts, open(os.path.join(folder, "verdicts.json"), "w"))
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import results; r = results.Results(sys.argv[2]); "
            "p, q = r.points[sys.argv[3]], r.points[sys.argv[4]]; "
            "print(p.gbps, p.speedup, len(p.reps), p.seconds * p.gbps, q.gbps, q.speedup)")
    r = subprocess.run([python, "-c", code, os.path.dirname(os.path.abspath(script)), folder, team["point"],
                        other["point"]], capture_output=True, text=True, timeout=120)
    got = [float(x) for x in r.stdout.split()] if r.returncode == 0 else []
    medians = {b["run_name"]: b for b in bench["benchmarks"] if b.get("aggregate_name") == "median"}
    m = medians.get(team["point"], {})
    expect(len(got) == 6 and abs(got[0] - was * 1.25) < 1e-9 * was and got[1] == 3.5 and got[2] == len(reps) - 1
           and abs(got[3] - m.get("real_time", 0) * 1e-6 * m.get("gbps", 0)) < 1e-6 * got[3]
           and got[4] == medians[other["point"]]["gbps"], f"left out: {r.stdout} {r.stderr[-600:]}")

# A plan that could hold no DRAM target (reports/vm-2vcpu-granite-rapids): the first screen says
# why, in the plan's words, and answers at the model's memory plateau instead; without a plateau,
# it says that nothing measured reached memory and has no memory row.
if len(sys.argv) > 4:
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import report, results; r = results.Results(sys.argv[2]); "
            "r.verdicts['model']['memory'] = None if sys.argv[3] == 'none' else r.verdicts['model']['memory']; "
            "print(report.answer_section(r))")
    for memory in ("as recorded", "none"):
        r = subprocess.run([python, "-c", code, os.path.dirname(os.path.abspath(script)), sys.argv[4], memory],
                           capture_output=True, text=True, timeout=120)
        text = r.stdout if r.returncode == 0 else ""
        rows = [line for line in text.splitlines() if line.startswith("| motion | ")]
        expect("No DRAM target: n=252000000 (1.9 GiB, the DRAM) skipped" in text, f"no DRAM ({memory}): {r.stderr[-600:]}")
        if memory == "none":
            expect("Nothing measured reached memory" in text and len(rows) == 2, f"no plateau: {rows}")
        else:
            expect("largest size, 190000000 elements" in text and len(rows) == 3
                   and rows[2].startswith("| motion | memory (1.4 GiB) |"), f"plateau: {rows}")

# Where the model fails: the serial runs whose data time the bandwidth does not give (explain's
# serial_data_over_bandwidth; 12 on the Granite Rapids reference, 2 on the Sapphire Rapids one) are
# counted and said to pay memory's latency; a folder without them says nothing of it.
if len(sys.argv) > 4:
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import report, results; r = results.Results(sys.argv[2]); "
            "print(sum(1 for p in r.verdicts['points'] if p['variant'] == 'serial' and p.get('stable') "
            "and p.get('bound') == 'unexplained' and p.get('serial_data_over_bandwidth'))); "
            "print(report.model_failures(r))")
    for folder in (sys.argv[4], recorded):
        r = subprocess.run([python, "-c", code, os.path.dirname(os.path.abspath(script)), folder],
                           capture_output=True, text=True, timeout=120)
        count, _, text = r.stdout.partition("\n")
        said = f"{count} of them are serial runs of our loop past the L2 (starve, trig) whose data time is"
        expect(count.isdigit() and (int(count) >= 10 or folder != sys.argv[4]), f"latency: {count} {r.stderr[-600:]}")
        if count.isdigit() and int(count) > 1:
            expect(said in text and "memory's latency" in text, f"latency: {count} {text[:900]}")
        elif count == "1":
            expect("1 of them is a serial run of our loop past the L2" in text, f"latency: {text[:900]}")
        elif count == "0":
            expect("memory's latency" not in text, f"latency said on {folder}: {text[:600]}")

# A plan with a DRAM target the folder has no points at (a filtered or cut sweep, as the 16-vCPU
# device run's): the first screen says so instead of staying silent on memory. The recorded
# folder with its DRAM points taken out.
code = ("import sys; sys.path.insert(0, sys.argv[1]); import report, results; r = results.Results(sys.argv[2]); "
        "dram = r.target_n('DRAM'); r.points = {k: p for k, p in r.points.items() if p.n != dram}; "
        "print(dram); print(report.answer_section(r))")
r = subprocess.run([python, "-c", code, os.path.dirname(os.path.abspath(script)), recorded],
                   capture_output=True, text=True, timeout=120)
dram, _, text = r.stdout.partition("\n")
expect(dram.isdigit() and f"The plan's DRAM target, n={dram} (" in text and "has no points in this folder" in text
       and "| DRAM |" not in text and "| memory" not in text, f"no DRAM points: {text[-800:]} {r.stderr[-600:]}")

# explain's warnings on the model's inputs stand on the first screen, as the probe's do
code = ("import sys; sys.path.insert(0, sys.argv[1]); import report, results; r = results.Results(sys.argv[2]); "
        "r.verdicts['validation']['model_warnings'] = ['the in-core times come from a size too large']; "
        "print(report.answer_section(r))")
r = subprocess.run([python, "-c", code, os.path.dirname(os.path.abspath(script)), recorded],
                   capture_output=True, text=True, timeout=120)
expect("**Warning:** the in-core times come from a size too large." in r.stdout, f"no model warning: {r.stderr[-600:]}")

# The book's tables (on the same folder: the other has no points at the book's N) mark a cell
# whose point is unstable, and say what the mark means; a stable point's cell carries none.
if len(sys.argv) > 4:
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import report, results; r = results.Results(sys.argv[2]); "
            "p = r.verdict('motion/omp/batched/n:10000000/workers:2'); p['stable'] = False; "
            "print(report.book_section(r))")
    r = subprocess.run([python, "-c", code, os.path.dirname(os.path.abspath(script)), sys.argv[4]],
                       capture_output=True, text=True, timeout=120)
    motion = r.stdout.split("**trig**")[0]  # motion's table
    rows = {line.split(" | ")[0]: line for line in motion.splitlines() if line.startswith("| ")}
    omp, proc = rows.get("| OpenMP threads, batched", ""), rows.get("| processes, batched", "†")
    cells = omp.strip(" |").split(" | ")  # the label, then 1 worker, 2 workers
    expect(len(cells) == 3 and cells[2].endswith(" †") and "†" not in cells[1],
           f"the unstable 2-worker cell is not (alone) marked: {omp} {r.stderr[-600:]}")
    expect("†" not in proc, f"a mark on a stable cell: {proc}")
    expect("† unstable" in r.stdout, "the mark is not explained")
done()
