#!/usr/bin/env python3
"""A smoke run of the quick sweep (capped small): the JSON and CSV have the shape other tools
read, every planned point is present and validated, names parse back, Google Benchmark's own
flags still work, an interrupted run keeps what it measured, marked partial, and --resume
completes it. Usage: test_bench.py BENCH"""
import csv
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expect import done, expect  # noqa: E402

bench = sys.argv[1]
NAME = re.compile(r"^([a-z-]+)/([a-z-]+)/(batched|pertick|dispatch|startup)/n:(\d+)/workers:(\d+)$")
CAP = "40000000"  # the L2 and L3 targets here, no DRAM: seconds, not minutes



def run(*args, timeout=300):
    return subprocess.run([bench, *args], capture_output=True, text=True, timeout=timeout)


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "r")
    r = run("--sweep", "quick", "--max-bytes", CAP, "--budget", "0", "--results", out)
    expect(r.returncode == 0, f"quick sweep exit {r.returncode}: {r.stderr[-2000:]}")
    expect("every point equal to serial" in r.stdout, "no validation summary")
    expect(re.search(r"\[\s*\d+/\d+\s+100%\]", r.stdout), "no progress with points done of total")
    expect(sorted(os.listdir(out)) == ["bench.csv", "bench.json", "plan.json"], f"files {os.listdir(out)}")
    data = json.load(open(os.path.join(out, "bench.json")))
    plan = json.load(open(os.path.join(out, "plan.json")))
    ctx = data["context"]
    expect("rescale" not in ctx, "the quick sweep measured the memory scaling again: it never should")
    for key in ("cpu_model", "physical_cores", "logical_cpus", "l2_bytes", "l3_bytes", "numa_nodes",
                "pin_map", "thp_enabled", "thp_shmem_enabled", "page_size", "compiler", "build_flags",
                "hwloc_version", "benchmark_version", "timer", "sweep", "hypervisor"):
        expect(key in ctx, f"context has no {key}")
    expect(json.loads(ctx["pin_map"]) == {str(w["count"]): w["cpus"] for w in plan["workers"]}, "pin_map")
    # priced before it ran, and what it spent outside timed ticks, by kind
    expect(ctx.get("estimate_s", 0) > 0 and ctx.get("wall_s", 0) > 0 and ctx.get("partial") is False
           and ctx.get("parts") == 1, f"estimate_s {ctx.get('estimate_s')}, wall_s {ctx.get('wall_s')}")
    expect(re.search(r"estimate .*pass 1 \d+ s .*in all about", r.stdout), "no estimate printed before the runs")
    overhead = ctx.get("overhead_s", {})
    expect({"prepare", "checks", "pairs", "corun"} <= set(overhead) and all(v >= 0 for v in overhead.values())
           and sum(overhead.values()) < ctx.get("wall_s", 0), f"overhead_s {overhead}")

    runs = data["benchmarks"]
    names = {b["run_name"] for b in runs}
    for name in names:
        expect(NAME.match(name), f"name does not parse: {name}")
    expect(not any(b.get("error_occurred") for b in runs), "a point failed")

    # every planned point is there
    counts = [w["count"] for w in plan["workers"]]
    want = set()
    for s in plan["sizes"]:
        for k in ("motion", "trig", "starve"):
            want.add(f"{k}/serial/batched/n:{s['n']}/workers:1")
            for w in counts:
                for v in ("omp", "proc", "threads"):
                    for m in ("batched",) if k == "starve" else ("batched", "pertick"):
                        want.add(f"{k}/{v}/{m}/n:{s['n']}/workers:{w}")
        if s.get("target") in ("L2", "L3"):
            want.add(f"trig-scalar/serial/batched/n:{s['n']}/workers:1")
    missing = want - names
    expect(not missing, f"planned points missing: {sorted(missing)[:5]}")
    for v in ("omp", "proc", "proc-pthread", "threads", "threads-pthread"):
        expect(any(re.match(rf"motion/{v}/dispatch/", n) for n in names), f"no {v} dispatch point")
    expect(sum(n.split("/")[2] == "startup" for n in names) >= 1 + 3 * len(counts), "start-up points missing")
    # the variant table in the context: every variant with its traits, serial the one reference
    variants = {v["name"]: v for v in json.loads(ctx.get("variants", "[]"))}
    expect({"serial", "omp", "proc", "threads"} <= set(variants), f"variant table in the context: {sorted(variants)}")
    expect([n for n, v in variants.items() if v["reference"]] == ["serial"], "serial is not the one reference")
    expect(variants.get("threads", {}).get("barriers") == ["futex", "pthread"], f"threads: {variants.get('threads')}")
    expect(all(v["label"] and v["color"] and v["summary"] for v in variants.values()), "a variant without label")
    expect("mpi" in ctx, "context has no mpi")
    if ctx.get("mpi", "").startswith("mpirun"):  # built with MPI, and mpirun found: jobs at the targets
        for s in plan["sizes"]:
            if s.get("target") in ("L2", "L3"):  # the quick sweep leaves DRAM out
                for w in counts:
                    for k, m in (("motion", "batched"), ("trig", "pertick"), ("starve", "batched")):
                        want_mpi = f"{k}/mpi/{m}/n:{s['n']}/workers:{w}"
                        expect(want_mpi in names, f"no MPI point {want_mpi}")
        for v in ("mpi", "mpi-futex"):
            expect(any(re.match(rf"motion/{v}/dispatch/", n) for n in names), f"no {v} dispatch point")

    # a variant with a loop of its own (the book's numpy), where it ran: on one worker at each
    # team's part of the L2 target too, the in-core time the model gives that team
    own = [n for n, v in variants.items() if v.get("launcher") == "python"]
    if any(n.split("/")[1] in own for n in names):
        l2 = next(s["n"] for s in plan["sizes"] if s.get("target") == "L2")
        for v in own:
            for k in variants[v]["kernels"].split(","):
                for w in counts[1:]:
                    part = f"{k}/{v}/batched/n:{int(l2 / w + 0.5)}/workers:1"
                    expect(part in names, f"no in-core part for {v}'s {w}-worker teams: {part}")

    reps = 2  # the quick sweep's repetitions
    table = {k["name"]: k for k in json.loads(ctx.get("kernels", "[]"))}
    expect({"motion", "trig", "trig-scalar", "starve"} <= set(table), f"kernel table in the context: {sorted(table)}")
    for b in runs:
        parts = NAME.match(b["run_name"])
        if not parts or b["run_type"] != "iteration":
            continue
        expect(b["repetitions"] == reps, f"{b['name']}: {b['repetitions']} repetitions")
        if parts[3] in ("batched", "pertick"):
            for c in ("gbps", "ns_per_elem_tick", "speedup", "bytes_per_second", "items_per_second"):
                expect(b.get(c, 0) > 0, f"{b['name']}: {c} = {b.get(c)}")
            expect(b["label"].startswith("cpus="), f"{b['name']}: label {b.get('label')}")
            # real_time is the time of one tick, the same work in every run: N x ns per element-tick
            n, per_elem = int(parts[4]), table[parts[1]]["bytes_per_elem"]
            expect(b["time_unit"] == "us" and abs(b["real_time"] - b["ns_per_elem_tick"] * n * 1e-3) < 1e-6 * b["real_time"],
                   f"{b['name']}: real_time {b['real_time']} us but N x ns/elem-tick = {b['ns_per_elem_tick'] * n * 1e-3}")
            gbps = per_elem * n / (b["real_time"] * 1e-6) / 1e9
            expect(abs(gbps - b["gbps"]) < 1e-6 * gbps,
                   f"{b['name']}: gbps {b['gbps']} but {per_elem:g}*N/tick = {gbps}")
            expect(abs(b["bytes_per_second"] - b["gbps"] * 1e9) < 1e-6 * b["bytes_per_second"], f"{b['name']}: bytes_per_second")
            # cpu_time counts every worker: the team's CPU over the same tick, from team_cpu_s
            if not variants.get(parts[2], {}).get("launched"):  # a launched job keeps Google Benchmark's own
                expect(abs(b["cpu_time"] - b["team_cpu_s"] / b["ticks"] * 1e6) < 1e-6 * b["cpu_time"] + 1e-9,
                       f"{b['name']}: cpu_time {b['cpu_time']} is not the team's {b['team_cpu_s']} s / ticks")
            if parts[1] == "starve":
                expect(b.get("merge_us", -1) >= 0 and b.get("merged", 0) > 0, f"{b['name']}: no merge figures")
            # the co-run test before and after every team repetition of 2+ workers, never around serial's
            # or one worker's
            team = parts[2] != "serial" and int(parts[5]) >= 2
            for key in ("corun_before", "corun"):
                expect((b.get(key, 0) > 0) if team else key not in b, f"{b['name']}: {key} {b.get(key)}")
            # the book's numpy jobs say how many page faults their temporaries took per tick
            if parts[2].startswith("numpy"):
                expect(b.get("faults_per_tick", -1) >= 0, f"{b['name']}: faults_per_tick {b.get('faults_per_tick')}")
        if parts[3] == "dispatch":
            expect("overhead_us" in b, f"{b['name']}: no overhead_us")
    # the aggregates' cpu_time is the statistic of the repetitions' team CPU time
    reps_cpu = {}
    for b in runs:
        if b["run_type"] == "iteration" and "team_cpu_s" in b and not b.get("error_occurred"):
            reps_cpu.setdefault(b["run_name"], []).append(b["cpu_time"])
    for b in runs:
        if b.get("aggregate_name") == "median" and b["run_name"] in reps_cpu:
            want = statistics.median(reps_cpu[b["run_name"]])
            expect(abs(b["cpu_time"] - want) <= 1e-9 * want, f"{b['run_name']}: median cpu_time {b['cpu_time']}, reps {want}")
    aggs = {b["aggregate_name"] for b in runs if b["run_type"] == "aggregate"}
    expect({"mean", "median", "stddev", "cv"} <= aggs, f"aggregates {aggs}")
    serial = [b for b in runs if b["run_name"].startswith("motion/serial/batched") and b.get("aggregate_name") == "median"]
    expect(serial and all(abs(b["speedup"] - 1) < 1e-9 for b in serial), "serial's median speedup is not 1")

    rows = list(csv.DictReader(open(os.path.join(out, "bench.csv"))))
    expect(len(rows) == len(runs), f"CSV has {len(rows)} rows for {len(runs)} runs")
    expect(rows and {"name", "kernel", "variant", "mode", "n", "workers", "gbps", "speedup"} <= set(rows[0]),
           "CSV columns")

    # Google Benchmark's flags keep working
    f = os.path.join(tmp, "f.json")
    r = run("--sweep", "quick", "--max-bytes", CAP, "--benchmark_filter=^motion/serial/batched",
            "--benchmark_repetitions=1", f"--benchmark_out={f}")
    expect(r.returncode == 0, f"filtered run exit {r.returncode}: {r.stderr[-500:]}")
    sub = json.load(open(f))["benchmarks"] if os.path.exists(f) else []
    expect(sub and all(b["run_name"].startswith("motion/serial/batched") for b in sub), "filter not applied")
    expect(sub and all("speedup" in b for b in sub), "speedup missing with --benchmark_out")

    # a budget: the points ranked as ceilings plan lists them, the first that fit measured, the rest
    # left out and listed, none of them in the results
    outb = os.path.join(tmp, "b")
    # (30 s: sizing the ticks counts against it, a few seconds here, more under ASan; the whole
    # capped quick sweep is priced at about 6 min)
    r = run("--sweep", "quick", "--max-bytes", CAP, "--budget", "30", "--results", outb)
    expect(r.returncode == 0, f"--budget 30: exit {r.returncode}: {r.stderr[-500:]}")
    if r.returncode == 0:
        ctx = json.load(open(os.path.join(outb, "bench.json")))["context"]
        got = [b["run_name"] for b in json.load(open(os.path.join(outb, "bench.json")))["benchmarks"]
               if b["run_type"] == "iteration"]
        left = ctx.get("left_out", {}).get("points", [])
        expect(ctx.get("budget_s") == 30 and got and left and not set(left) & set(got)
               and ctx["left_out"].get("budget_s_for_all", 0) > 30,
               f"budget: {ctx.get('budget_s')}, {len(got)} repetitions, left out {left[:3]}")
        order = [p["name"] for p in json.loads(subprocess.run([os.path.join(os.path.dirname(bench), "ceilings"), "plan",
                 "--sweep", "quick", "--max-bytes", CAP, "--json"], capture_output=True, text=True).stdout)["points"]]
        rank = {n: i for i, n in enumerate(order)}
        expect(got and left and max(rank.get(n, -1) for n in got) < min(rank.get(n, len(order)) for n in left),
               "the points measured are not the first in the plan's order")

    # bad usage
    r = run("--sweep", "bogus")
    expect(r.returncode == 2 and "--sweep" in r.stderr and r.stderr.count("\n") == 1, f"bad sweep: {r.stderr}")

    # interrupted: exit 1, what was measured kept (bench.json marked partial, no skipped repetition
    # in it), no .part left
    def interrupted(what, out, args, wait):
        """SIGINT to a run once wait(its stdout) returns; it must end as an interrupted run does.
        Returns its bench.json, or None where nothing was measured yet."""
        p = subprocess.Popen([bench, "--sweep", "quick", "--results", out, *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait(p.stdout)
        p.send_signal(signal.SIGINT)
        try:
            _, err = p.communicate(timeout=60)
            expect(p.returncode == 1, f"{what}: exit {p.returncode}: {err[-300:]}")
            expect("interrupted" in err, f"{what} says {err[-300:]}")
        except subprocess.TimeoutExpired:
            p.kill()
            expect(False, f"{what} did not end within 60 s")
        left = sorted(os.listdir(out)) if os.path.isdir(out) else []
        expect(left in ([], ["plan.json"], ["bench.csv", "bench.json", "plan.json"]), f"{what} left {left}")
        if "bench.json" not in left:
            return None
        doc = json.load(open(os.path.join(out, "bench.json")))
        ctx = doc["context"]
        expect(ctx.get("partial") is True and "signal 2" in ctx.get("partial_reason", ""),
               f"{what}: partial {ctx.get('partial')!r}, {ctx.get('partial_reason')!r}")
        expect(not any(b.get("error_message", "").startswith("interrupted") for b in doc["benchmarks"]),
               f"{what}: a skipped or cut-short repetition was written as a result")
        return doc

    interrupted("run interrupted early", os.path.join(tmp, "i"), ["--max-bytes", CAP], lambda _: time.sleep(1.5))

    # interrupted in the middle of a pass, a point part measured: the repetitions not run are
    # skipped, and Google Benchmark's statistics over a point's repetitions must still hold (it
    # aborted here once: a repetition skipped before its loop reported no iterations where the
    # others reported one, and a point with two done and one skipped failed its check)
    def after(k):
        def wait(stdout):  # the pass's progress: its k-th repetition done
            lines = []
            for line in stdout:
                lines.append(line)
                if re.match(rf"\[\s*{k}/\d+", line):
                    return
            expect(False, f"no repetition {k}: {''.join(lines)[-300:]}")
        return wait

    l2 = next(s["n"] for s in plan["sizes"] if s.get("target") == "L2")
    doc = interrupted("run interrupted mid-pass", os.path.join(tmp, "m"),
                      ["--benchmark_repetitions=60", f"--benchmark_filter=^motion/serial/batched/n:{l2}/"],
                      after(5))
    reps = [b for b in (doc or {}).get("benchmarks", []) if b["run_type"] == "iteration"]
    expect(len(reps) >= 5, f"mid-pass: {len(reps)} repetitions kept of the 5 or more measured")

    # resumed: only what is missing is measured, and the folder then holds every point an
    # uninterrupted run of the same selection holds, once
    part = os.path.join(tmp, "p")
    serial = "--benchmark_filter=^motion/serial/batched/"
    first = interrupted("run interrupted between points", part, ["--max-bytes", CAP, serial], after(3))
    have = {b["run_name"] for b in (first or {}).get("benchmarks", [])}
    r = run("--resume", part, serial)
    expect(r.returncode == 0, f"--resume: exit {r.returncode}: {r.stderr[-500:]}")
    doc = json.load(open(os.path.join(part, "bench.json")))
    names = [b["run_name"] for b in doc["benchmarks"] if b["run_type"] == "iteration"]
    want = {f"motion/serial/batched/n:{s['n']}/workers:1" for s in json.load(open(os.path.join(part, "plan.json")))["sizes"]}
    want.add("motion/serial/batched/n:10000000/workers:1")  # the book's N, beside the plan's sizes
    expect(set(names) == want, f"resumed: {sorted(set(names) ^ want)[:4]} differ from an uninterrupted run")
    expect(all(names.count(n) == 2 for n in want - have), "resumed: a missing point measured other than twice")
    expect(doc["context"].get("partial") is False and doc["context"].get("parts") == 2,
           f"resumed: partial {doc['context'].get('partial')}, parts {doc['context'].get('parts')}")
    expect(len(list(csv.DictReader(open(os.path.join(part, "bench.csv"))))) == len(doc["benchmarks"]),
           "resumed: the CSV does not hold every run")
    r = run("--resume", part)
    expect(r.returncode == 2 and "complete" in r.stderr and r.stderr.count("\n") == 1, f"resume a complete folder: {r.stderr}")
    r = run("--resume", os.path.join(tmp, "nowhere"))
    expect(r.returncode == 2 and "--resume" in r.stderr and r.stderr.count("\n") == 1, f"resume nothing: {r.stderr}")

    # the probe's scalings measured again as the sweep runs (--rescale-every): each sample in the
    # context, with its time, from a run that took place: peakflops, and daxpy at the plan's
    # DRAM target, one pair each
    # (150 repetitions of 10-25 ms: the sweep outlasts the first second whatever its ticks; 60
    # once ended inside it in CI, with no sample taken)
    # (at the L2 target: 131000 elements on the EPYC VM, 262000 where an L2 holds 2 MiB)
    out3 = os.path.join(tmp, "s")
    # (capped: a DRAM target's first touch makes one sample take 38 s where a page fault costs 13 us)
    r = run("--sweep", "quick", "--rescale-every", "1", "--max-bytes", CAP, "--results", out3,
            f"--benchmark_filter=^motion/serial/batched/n:{l2}/", "--benchmark_repetitions=150")
    expect(r.returncode == 0, f"--rescale-every 1: exit {r.returncode}: {r.stderr[-800:]}")
    if r.returncode == 0:
        targets = {s["target"]: s["n"] for s in json.load(open(os.path.join(out3, "plan.json")))["sizes"]
                   if s.get("target")}
        samples = json.loads(json.load(open(os.path.join(out3, "bench.json")))["context"].get("rescale", "[]"))
        expect(samples and all(x["at_s"] >= 1 and x["workers"] >= 2 and x["scaling"] > 0 and x["pairs"] == 1
                               for x in samples), f"rescale samples {samples}: {r.stderr[-600:]}")
        first = [x for x in samples if x["at_s"] == samples[0]["at_s"]]  # one probe's samples
        expect(sorted((x["kind"], x["target"], x.get("n")) for x in first)
               == sorted([("peakflops", "L1", None)] + [("daxpy", t, n) for t, n in targets.items() if t == "DRAM"]),
               f"one rescale: {first}, the plan's targets {targets}")
    r = run("--rescale-every", "-1")
    expect(r.returncode == 2 and "--rescale-every" in r.stderr and r.stderr.count("\n") == 1,
           f"bad --rescale-every: {r.stderr}")

done()
