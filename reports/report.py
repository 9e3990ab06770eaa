#!/usr/bin/env python3
"""ceilings report: plots and report.md for one results folder.

Usage: report.py RESULTS_DIR

Reads the folder's JSON (bench.json required; probe.json, plan.json, verdicts.json and
profile.json when present) and writes, into the same folder, report.md with PNG plots. A folder with missing parts still gets a report, which says what is missing.
"""
import json
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from plots import all_plots, finite, human_bytes  # noqa: E402
from results import Results, point_name, write_whole  # noqa: E402

BOOK = ("The book this project grew from measured, in Python (numpy in a multiprocessing.Pool on one "
        "shared_memory block) on 8 cores, N = 10,000,000 and 100 ticks: `pos += vel * dt` serial 1.842 s and at "
        "best 0.414 s (4.45x, 16 workers); `out += sin(x)**2 + cos(x)**2` serial 7.749 s and at best 1.412 s "
        "(5.49x, 8 workers).")
BOOK_N = 10_000_000  # the book's N, which the sweep runs the variants of its tables at


def fmt(x, spec=".2f", none="-"):
    return format(x, spec) if finite(x) else none


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def workers_header(counts):
    return [f"{w} worker{'s' if w > 1 else ''}" for w in counts]


def series_workers(s, top):
    return 1 if s.variant.get("reference") else top


def machine_section(r):
    c = r.context
    caches = f"L2 {human_bytes(int(c.get('l2_bytes', 0)))} x {c.get('l2_count', '?')}, " \
             f"L3 {human_bytes(int(c.get('l3_bytes', 0)))} x {c.get('l3_count', '?')}"
    counters = (r.profile or {}).get("counters") or ((r.probe or {}).get("likwid") or {})
    if counters.get("available"):
        counter_text = "available"
    elif counters:
        counter_text = f"unavailable: {counters.get('reason', '?')}"
    else:
        counter_text = "not tried"
    rows = [
        ("CPU", c.get("cpu_model", "?")),
        ("cores / logical CPUs / packages / NUMA nodes",
         f"{c.get('physical_cores', '?')} / {c.get('logical_cpus', '?')} / {c.get('packages', '?')} / {c.get('numa_nodes', '?')}"),
        ("caches", caches),
        ("hypervisor", c.get("hypervisor", "?") + (" (topology as the VM shows it)" if c.get("hypervisor", "none") != "none" else "")),
        ("memory available", human_bytes(int(c.get("memory_available_bytes", 0)))),
        ("pages", f"{c.get('page_size', '?')} B; THP enabled={c.get('thp_enabled', '?')}, shmem_enabled={c.get('thp_shmem_enabled', '?')}"),
        ("memory policy", c.get("memory_policy", "?")),
        ("compiler, flags", f"{c.get('compiler', '?')}; {c.get('build_flags', '?')}"),
        ("libraries", f"Google Benchmark {c.get('benchmark_version', '?')} (built as {c.get('library_build_type', '?')}), "
                      f"hwloc {c.get('hwloc_version', '?')}"),
        ("hardware counters", counter_text),
        ("timer", c.get("timer", "?")),
        ("pin map (workers: CPUs)", c.get("pin_map", "?")),
        ("sweep", f"{c.get('sweep', '?')}, run {c.get('date', '?')}"),
    ]
    return "## The machine\n\n" + table(["", ""], rows)


def ceilings_section(r):
    if not r.probe:
        return "## Ceilings\n\nNot measured: this folder has no probe.json."
    counts = r.worker_counts()
    rows = []
    for n, target, level, fp in r.sizes():
        if not target:
            continue
        for kind in ("daxpy", "copy", "load"):
            rows.append([f"{target} ({human_bytes(fp)})", kind] + [fmt(r.ceiling(kind, n, w), ".1f") for w in counts])
    flops = [r.compute(w) for w in counts]
    rows.append(["L1", "peakflops (GFlop/s)"] + [fmt(f[0], ".0f") if f else "-" for f in flops])
    rows.append(["L1", "compute scaling over 1 worker"] + [fmt(f[1], ".2f") if f else "-" for f in flops])
    # each kernel's own loop in L1 (probes since 2026-11-26), beside peakflops' scaling
    own = {}
    for e in r.probe.get("incore", []):
        own.setdefault(e["kernel"], {})[e["workers"]] = e["scaling"]
    for kernel, by in own.items():
        rows.append(["L1", f"{kernel}'s own loop: scaling"] + ["1.00" if w == 1 else fmt(by.get(w), ".2f") for w in counts])
    src = r.probe.get("source", {})
    return ("## Ceilings\n\n"
            f"Bandwidth from {src.get('bandwidth', '?')}; compute from {src.get('compute', '?')}. "
            f"GB/s counted as likwid-bench counts its traffic (daxpy: two streams read and one written, "
            f"the {memory_kernel(r)} kernel's pattern).\n\n"
            + table(["footprint", "test"] + [f"{w} worker{'s' if w > 1 else ''}" for w in counts], rows))


CHECK_NAMES = {"one_worker": "a 1-worker team off serial", "level": "faster at a slower level",
               "superlinear": "speedup above workers x caches", "passes": "two passes disagree",
               "interference": "others or the hypervisor took the CPU", "spread": "wide interval",
               "shared_core": "a core shared among the team's CPUs"}


def pct(x, spec=".0f"):
    return "-" if x is None else f"{100 * x:{spec}}%"


def answer_section(r):
    """The first screen: where the speedup stops, why, threads or processes, and how well the model fits."""
    v = r.verdicts or {}
    val = v.get("validation")
    if not val or not val.get("points"):
        return ""
    points = {p["point"]: p for p in v.get("points", [])}
    counts = r.worker_counts()
    top = counts[-1]
    # the teams in this machine's processes (the variant table's traits, not their names)
    teams = [s for s in r.series(reference=False) if s.mode == "batched" and not s.variant.get("launched")]
    first_barrier = lambda t: (t.variant.get("barriers") or [None])[0]
    knees = {(k["kernel"], int(k["n"]), k["variant"]): k for k in r.knees() if k["mode"] == "batched"}
    rows = []
    # where the plan could hold no DRAM target, the largest size where motion's serial time has
    # levelled stands for memory (the model's memory plateau)
    targets = [(t, r.target_n(t)) for t in ("L2", "L3", "DRAM")]
    memory = v.get("model", {}).get("memory") or {}
    no_dram = next((note for note in (r.plan or {}).get("notes", []) if "skipped" in note), None) if not targets[2][1] else None
    planned = next((s["n"] for s in (r.plan or {}).get("sizes", []) if s.get("target") == "DRAM"), None)
    unmeasured = planned if planned and not targets[2][1] else None  # planned, but the folder has no points there
    if not targets[2][1] and not unmeasured and memory.get("n"):
        fp = memory["n"] * (r.plan or {}).get("footprint_bytes_per_elem", 8)
        targets[2] = (f"memory ({human_bytes(fp)})", int(memory["n"]))
    for kernel in r.kernels():
        if r.kernel(kernel).get("baseline"):
            continue
        for target, n in targets:
            got = [(s, points.get(point_name(kernel, s.name, "batched", n, top))) for s in teams] if n else []
            got = [(s, p) for s, p in got if p and p.get("speedup") and p.get("shares")]
            if not got:
                continue
            s, best = max(got, key=lambda sp: sp[1]["speedup"])
            k = knees.get((kernel, n, s.name), {})
            # threads against processes: a team of threads and one of processes on the same barrier
            proc_t, procs = next(((t, p) for t, p in got if not t.variant.get("hooks")), (None, None))
            threads = next((p for t, p in got if t.variant.get("hooks") and proc_t and first_barrier(t) == first_barrier(proc_t)),
                           None)
            vs = f"{threads['speedup'] / procs['speedup']:.2f}x" if procs and threads else "-"
            knee = lambda key: "none" if k.get(key) is None else int(k[key])
            rows.append([kernel, target, f"{best['speedup']:.2f}x ({s.label})", knee("knee_workers"),
                         knee("predicted_knee_workers") if "predicted_speedups" in k else "-",
                         best.get("model_verdict", "-"), vs, "" if best.get("stable", True) else "unstable"])
    over = v.get("model", {}).get("overlap", {})
    if all("overlap" in o for o in over.values()):  # a folder explained before the overlaps had kinds
        over = {"": over}
    ov = "; ".join(f"{kind + '-bound ' if kind else ''}" + ", ".join(
        f"{lvl} {o['overlap']:.2f}" for lvl, o in levels.items() if o.get("overlap") is not None)
        for kind, levels in over.items() if any(o.get("overlap") is not None for o in levels.values()))
    text = (f"At {top} workers, per kernel and target size: the best team's speedup over serial, the knee measured and "
            "the knee the model predicts from one worker and the probe alone, what the model says binds (its shares of "
            "the time, and how far the measurement is from it), and threads against processes (the threads team's "
            f"speedup over the process team's). The model (an ECM-style composition; overlaps {ov or 'not fitted'}) "
            f"predicts {val['points']} stable points at 2+ workers it was not fitted on: median error "
            f"{100 * val['median_abs_error']:.1f}%, {100 * val['fraction_within']:.0f}% within "
            f"{100 * val['tolerance']:.0f}%.")
    if val.get("stable_points"):
        text += (f" Over all {val['stable_points']} stable points, {val['unexplained']} "
                 f"({100 * val['fraction_unexplained']:.1f}%) are unexplained: the model misses them by more than "
                 f"{100 * val['tolerance']:.0f}% (listed under \"Where the model fails\").")
    if no_dram:
        text += (f"\n\nNo DRAM target: {no_dram}."
                 + (f" Memory is read at the largest size, {int(memory['n'])} elements, where the memory-bound "
                    "kernel's serial time has levelled (the \"memory\" row)." if memory.get("n") else
                    " Nothing measured reached memory: no row answers for it."))
    if unmeasured:
        text += (f"\n\nThe plan's DRAM target, n={int(unmeasured)} ({human_bytes(r.footprint(unmeasured) or 0)}), has no "
                 "points in this folder: the sweep left it out (filtered, or cut short). No row answers for memory.")
    for w in val.get("probe_warnings", []) + val.get("model_warnings", []):
        text += f"\n\n**Warning:** {w}."
    return ("## The answer\n\n" + text + "\n\n"
            + table(["kernel", "target", "best speedup", "knee", "predicted knee", "model: what binds", "threads / processes",
                     ""], rows))


def trust_rules(th):
    return (f"A point is unstable when a batched team of one worker is more than {pct(th.get('one_worker', 0.1))} off "
            f"serial; when a point of our loop beats its best rate at a faster cache level by more than "
            f"{pct(th.get('level', 0.1))}; when a speedup exceeds workers x the caches' gain (serial at N/W over serial "
            f"at N) by more than {pct(th.get('superlinear', 0.1))}; when its two passes disagree beyond their intervals; "
            f"when others and the hypervisor took more than {pct(th.get('busy', 0.1))} of a CPU; when more than half of "
            "its repetitions (or all but one) ran while its CPUs shared a core, those fewer being left out of its median; "
            f"or when its median's 95% interval is wider than +-{pct(th.get('spread', 0.1))}.")


def trust_section(r):
    t = (r.verdicts or {}).get("trust")
    if not t:
        return ("## How far to trust this run\n\nNo trust figures: this folder's verdicts.json is from before "
                "`ceilings explain` checked the measurement (run it again).")
    th = r.verdicts.get("thresholds", {}).get("trust", {})
    checks = ", ".join(f"{CHECK_NAMES.get(k, k)} {v}" for k, v in sorted(t["checks"].items(), key=lambda kv: -kv[1]))
    text = [f"**{t['stable']} of {t['points']} points are stable** ({pct(t['stable'] / max(1, t['points']))}); "
            f"{t['unstable']} are not and are left out of the verdict counts" + (f" ({checks})." if checks else ".")]
    if t.get("paired"):
        text.append(f"Each repetition of a team was paired with a serial repetition beside it ({t['paired']} points): "
                    "a speedup is the median of the pairs' ratios, so the machine drifting between minutes cancels.")
    if t.get("remeasured"):
        text.append(f"{t['remeasured']} points still noisy after their extra repetitions were measured once more, "
                    "at the end, and checked against themselves.")
    inter, steal = t.get("interference"), t.get("steal")
    if inter:
        text.append(f"Other processes took a median {pct(inter['median'], '.1f')} of the workers' CPUs while a point "
                    f"ran (most {pct(inter['max'])}; {inter['points_above']} points above {pct(th.get('busy', 0.1))}).")
    if steal:
        text.append(f"The hypervisor stole a median {pct(steal['median'], '.1f')} (most {pct(steal['max'])}).")
    shared = t.get("shared_core")
    if shared:
        worst = sorted((m for m in t.get("timeline", []) if m.get("shared_core", {}).get("shared")),
                       key=lambda m: -m["shared_core"]["shared"])[:3]
        text.append(f"After {shared['tested']} team repetitions a short FMA loop on all the team's CPUs at once "
                    f"against one alone found a core shared {shared['shared']} times "
                    f"({pct(shared['shared'] / max(1, shared['tested']), '.1f')}; the host's doing, which the guest's "
                    "own accounting cannot see)" + (": most in " + ", ".join(
                        f"minute {m['minute']} ({m['shared_core']['shared']} of {m['shared_core']['tested']})"
                        for m in worst) if worst else "") + "." +
                    (f" {shared['left_out']} of those repetitions were left out of their points' medians, the others "
                     "giving the figures; points where more than half found it are unstable."
                     if "left_out" in shared else ""))
        rule = [u for u in shared.get("usual", []) if u["ratio"] >= 1.25]
        if rule:
            text.append("The test reads more than 1 as a rule at " + ", ".join(
                f"{u['workers']:.0f} workers ({u['ratio']:.2f}x, the median of every repetition)" for u in rule) +
                ": those vCPUs share cores (the host's cores, not the guest's), which the probe's compute scaling "
                f"carries too, so a repetition counts as shared there only at {shared.get('threshold', 1.5):g} times "
                "that.")
    busy = sorted(t.get("timeline", []), key=lambda m: -(m["interference_mean"] + m["steal_mean"]))[:3]
    if busy and busy[0]["interference_mean"] + busy[0]["steal_mean"] > 0.02:
        text.append("Busiest minutes of the sweep: " + ", ".join(
            f"minute {m['minute']} (others {pct(m['interference_mean'])}, steal {pct(m['steal_mean'])})"
            for m in busy) + ".")
    text.append(t.get("advice", ""))
    rows = [[v["point"], "; ".join(x["why"] for x in v["unstable_reasons"])]
            for v in r.verdicts.get("points", []) if not v.get("stable", True) and v.get("unstable_reasons")]
    listing = ""
    if rows:
        more = f" (the first 10 of {len(rows)}; all in verdicts.json)" if len(rows) > 10 else ""
        listing = f"\n\nThe unstable points{more}:\n\n" + table(["point", "why"], rows[:10])
    return "## How far to trust this run\n\n" + " ".join(x for x in text if x) + listing + "\n\n" + trust_rules(th)


def verdict_section(r):
    if not r.verdicts:
        return "## Where the speedup stops\n\nNo verdicts: this folder has no verdicts.json (run `ceilings explain`)."
    counts = r.worker_counts()
    top = counts[-1]
    rows = []
    for target in ("L2", "L3", "DRAM"):
        n = r.target_n(target)
        if n is None:
            continue
        for kernel in r.kernels():
            for s in r.series():
                w = series_workers(s, top)
                v = r.verdict(point_name(kernel, s.name, s.mode, n, w))
                if not v:
                    continue
                rows.append([target, kernel, s.label, w,
                             fmt(v.get("gbps"), ".1f"),
                             fmt(100 * v["bandwidth_fraction"], ".0f") + "%" if "bandwidth_fraction" in v else "-",
                             fmt(100 * v["compute_fraction"], ".0f") + "%" if "compute_fraction" in v else "-",
                             fmt(100 * v["dispatch_share"], ".0f") + "%" if "dispatch_share" in v else "-",
                             f"**{v['verdict']}**"])
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(r.verdicts.get("summary", {}).items()))
    small = min(n for n, *_ in r.sizes())
    small_rows = []
    for kernel in r.kernels():
        for s in r.series(reference=False):
            v = r.verdict(point_name(kernel, s.name, "pertick", small, top)) if s.mode == "pertick" else None
            if v:
                small_rows.append([kernel, s.label, top, fmt(v.get("gbps"), ".1f"),
                                   fmt(100 * v.get("dispatch_share", float("nan")), ".0f") + "%", f"**{v['verdict']}**"])
    knees = [[k["kernel"], int(k["n"]), k["variant"], k["mode"],
              " ".join(f"{int(s['workers'])}:{s['speedup']:.2f}" for s in k["speedups"]),
              int(k["knee_workers"]) if k.get("knee_workers") else "none"]
             for k in r.knees() if any(k["n"] == n for n, t, _, _ in r.sizes() if t)]
    notes = "\n".join(f"- {n}" for n in r.verdicts.get("notes", []))
    th = r.verdicts.get("thresholds", {})
    val = r.verdicts.get("validation") or {}
    if val.get("points"):
        rule = ("A verdict names the term that dominates the model's predicted time (in-core, a level's data, or "
                "dispatch), its share and the model's error; a point is *unexplained* only where the model misses "
                f"it by more than {100 * val.get('tolerance', 0.15):.0f}%, and then the numbers are given. The "
                "thresholds' verdict stays beside each in `verdicts.json` (`threshold_verdict`).")
    else:
        rule = (f"This folder cannot feed the model, so verdicts come from thresholds: a ceiling binds at "
                f"{100 * th.get('reached', 0.8):.0f}% of it, counting the time outside dispatch; dispatch binds at "
                f"{100 * th.get('dispatch_bound', 0.5):.0f}% of a tick; otherwise the point is *unexplained* and "
                "its fractions are given instead of a guess.")
    return ("## Where the speedup stops\n\n"
            f"Verdicts for every point are in `verdicts.txt` and `verdicts.json` ({summary}). " + rule + "\n\n"
            + notes + "\n\n"
            + table(["size", "kernel", "variant", "workers", "GB/s", "of bandwidth", "of compute", "dispatch", "verdict"], rows)
            + f"\n\nAt the smallest size (n = {small}, {human_bytes(r.footprint(small) or 0)}), per tick:\n\n"
            + table(["kernel", "variant", "workers", "GB/s", "dispatch", "verdict"], small_rows)
            + "\n\nThe knee: the worker count after which adding workers gives less than "
            f"{100 * th.get('knee', 0.25):.0f}% of the ideal gain (speedups over serial by worker count).\n\n"
            + table(["kernel", "n", "variant", "mode", "speedups", "knee"], knees)
            + model_failures(r))


def model_failures(r):
    """The stable points the model misses, with the numbers, largest miss first."""
    val = (r.verdicts or {}).get("validation") or {}
    if not val.get("points"):
        return ""
    missed = sorted((p for p in r.verdicts.get("points", []) if p.get("stable") and p.get("bound") == "unexplained"
                     and p.get("model_error") is not None), key=lambda p: -abs(p["model_error"]))
    if not missed:
        return f"\n\n### Where the model fails\n\nNowhere: it predicts every stable point within {pct(val['tolerance'])}."
    by = {}
    for p in missed:
        key = (p["kernel"], p["variant"].startswith("numpy") and "numpy" or "our loop", p.get("level", "?"))
        by[key] = by.get(key, 0) + 1
    groups = ", ".join(f"{k} ({how}) at {lvl}: {n}" for (k, how, lvl), n in sorted(by.items(), key=lambda kv: -kv[1]))
    rows = [[p["point"], p.get("level", "?"), f"{p['predicted_ns_per_elem_tick'] * (1 + p['model_error']):.3g}",
             f"{p['predicted_ns_per_elem_tick']:.3g}", f"{100 * p['model_error']:+.0f}%", p.get("threshold_verdict", "-")]
            for p in missed[:15]]
    more = f" (the 15 largest of {len(missed)}; all in verdicts.json)" if len(missed) > 15 else ""
    # serial runs whose data time the bandwidth does not give (explain: serial_data_over_bandwidth)
    slow = [p for p in missed if p.get("variant") == "serial" and p.get("serial_data_over_bandwidth")]
    latency = ""
    if slow:
        ratios = [p["serial_data_over_bandwidth"] for p in slow]
        span = f"{min(ratios):.1f}x" + (f" to {max(ratios):.1f}x" if len(ratios) > 1 else "")
        latency = (f"\n\n{len(slow)} of them {'are serial runs' if len(slow) > 1 else 'is a serial run'} of our loop "
                   "past the L2 (" + ", ".join(sorted({p["kernel"] for p in slow})) + f") whose data time is {span} what "
                   "the bandwidth gives: memory's latency, which the loop does not hide as ECM assumes (unless the "
                   "host slowed those runs), and no probe figure predicts by how much. The teams at those sizes are "
                   "predicted through them (the model's speedup over serial), and their verdicts say so.")
    return ("\n\n### Where the model fails\n\n"
            f"{len(missed)} stable points ({pct(val.get('fraction_unexplained'), '.1f')}) miss by more than "
            f"{pct(val['tolerance'])}: {groups}{more}. Times in ns per element-tick.{latency}\n\n"
            + table(["point", "level", "measured", "predicted", "error", "thresholds said"], rows))


def utest(a, b):
    """compare.py's Mann-Whitney U-test (gbench.report.calc_utest) on two points' repetitions:
    (p-value, enough repetitions for Google Benchmark), or None where it cannot say."""
    sys.path.insert(0, os.environ.get("CEILINGS_GBENCH", "/usr/share/benchmark"))
    try:
        from gbench.report import calc_utest
    except ImportError:
        return None
    if not (a and b and a.reps and b.reps):
        return None
    optimal, _, p = calc_utest([a.reps, b.reps], [a.reps, b.reps])
    return None if p is None else (p, optimal)


def with_p(text, test, alpha=0.05):
    """A figure and what the U-test says of its difference from the first team's."""
    if test is None:
        return text
    p, _ = test
    return f"{text} ({'p' if p < alpha else 'no difference, p'} = {p:.2g})"


def emitting(r):
    """Kernels that emit per worker and merge (their points carry a merge time)."""
    return [k for k in r.kernels() if any(finite(p.merge_us) for p in r.select(kernel=k))]


def memory_kernel(r):
    """The first memory-bound kernel of the table, which the team comparisons use."""
    return next((k for k in r.kernels() if r.kernel(k).get("bound") == "memory" and k not in emitting(r)),
                (r.kernels() or [None])[0])


def _compare(r, a, b, top):
    """One sentence comparing teams a and b, when the table says what their difference isolates."""
    kernel, n = memory_kernel(r), r.target_n("L2")
    da, db = (next((p for p in r.select(variant=v["name"], mode="dispatch", workers=top) if not p.error), None)
              for v in (a, b))
    if not (da and db):
        return None
    what = None
    if a.get("hooks") and b.get("hooks") and bool(a.get("barriers")) != bool(b.get("barriers")):
        own, ours = (a, b) if not a.get("barriers") else (b, a)
        what = (f"the runtime: {own['label']} synchronise through their own runtime, {ours['label']} through "
                f"the {ours['barriers'][0]} barrier, both threads of one process")
    elif bool(a.get("hooks")) != bool(b.get("hooks")) and a.get("barriers") and a.get("barriers") == b.get("barriers"):
        what = (f"threads against processes: {a['label']} and {b['label']} run the same team on the same "
                f"{a['barriers'][0]} barrier, so the difference is what sharing an address space saves")
    if not what:
        return None
    text = (f"{a['label']} against {b['label']} isolates {what}. Per-tick dispatch: "
            + with_p(f"{da.overhead_us:.2f} us against {db.overhead_us:.2f} us ({da.overhead_us / db.overhead_us:.2f}x)",
                     utest(da, db)))
    pa, pb = (r.point(kernel, v["name"], "batched", n, top) if n else None for v in (a, b))
    if pa and pb:
        text += "; " + with_p(f"{kernel} at the L2 target {pa.gbps:.1f} against {pb.gbps:.1f} GB/s "
                              f"({pa.gbps / pb.gbps:.2f}x)", utest(pa, pb))
    return text + "."


def threads_vs_processes(r):
    counts = r.worker_counts()
    top = counts[-1]
    kernel, rows = memory_kernel(r), []
    n_start = r.target_n("L2")
    first, weak = {}, False
    for i, v in enumerate(r.teams()):
        cells = []
        points = [r.point(kernel, v["name"], "batched", r.target_n(t), top) if r.target_n(t) else None
                  for t in ("DRAM", "L2")]
        points.append(next((p for p in r.select(variant=v["name"], mode="dispatch", workers=top) if not p.error), None))
        for col, (p, spec) in enumerate(zip(points, (".1f", ".1f", ".2f"))):
            value = None if not p else p.overhead_us if col == 2 else p.gbps
            test = utest(first.get(col), p) if i else None
            weak |= bool(test and not test[1])
            cells.append(with_p(fmt(value, spec), test) if p else "-")
            first.setdefault(col, p if i == 0 else None)
        st = r.point(kernel, v["name"], "startup", n_start, top) if n_start else None
        cells.append(fmt(st.seconds * 1e3, ".2f") if st else "-")
        if any(c != "-" for c in cells):
            rows.append([f"{v['label']} (`{v['name']}`)"] + cells)
    if not rows:
        return ""
    teams = r.teams(launched=False)
    pairs = [_compare(r, a, b, top) for i, a in enumerate(teams) for b in teams[i + 1:]]
    pairs = [p for p in pairs if p]
    start_n = f" ({human_bytes(r.footprint(n_start) or 0)} first-touched)" if n_start else ""
    return ("## Threads or processes?\n\n"
            f"On this machine, with {top} workers, {kernel} batched; dispatch is the per-tick overhead at 1024 "
            f"elements per worker on each team's default barrier; start-up is prepare at the L2 target{start_n}. "
            "All run the same compiled loop on the same slices of the same kind of memory, so the differences are "
            "the execution model's: how work is dispatched and how a team starts, not how fast a core streams "
            "data.\n\n"
            + ("Each figure below the first row carries compare.py's U-test against the first row's "
               "repetitions (p < 0.05: a difference)"
               + ("; with fewer than 9 repetitions a side Google Benchmark calls these tests weak. " if weak else ". ")
               + "\n\n")
            + table(["team", "GB/s at DRAM", "GB/s at L2", "dispatch (us/tick)", "start-up (ms)"], rows)
            + ("\n\n" + "\n".join(f"- {p}" for p in pairs) if pairs else ""))


def book_tables(r):
    """The book's tables on this machine: per kernel, wall seconds for 100 ticks (the median tick x 100)
    and the speedup over each family's own one-worker run, for every variant of the book's tables."""
    counts = [w for w in r.worker_counts() if r.select(n=BOOK_N, workers=w)]
    book = [v for v in r.variants if v.get("book")]
    out = []

    def unstable(p):  # the mark of a cell whose point the verdicts call unstable
        v = r.verdict(p.name)
        return " †" if v and not v.get("stable", True) else ""
    for kernel in [k for k in r.kernels() if r.select(kernel=k, n=BOOK_N)]:
        rows = []
        for v in book:
            for mode in (["batched"] if v.get("reference") else v.get("modes", [])):
                base = r.point(kernel, v["name"], "batched", BOOK_N, 1)
                if v.get("launched") is False or not base:  # ours: over C's serial loop
                    base = r.point(kernel, r.reference()["name"], "batched", BOOK_N, 1) if r.reference() else None
                cells = []
                for w in ([1] if v.get("reference") else counts):
                    p = r.point(kernel, v["name"], mode, BOOK_N, w)
                    wall = p.ns_per_elem_tick * BOOK_N * 100 * 1e-9 if p else None
                    cells.append(f"{wall:.3f} s ({base.ns_per_elem_tick / p.ns_per_elem_tick:.2f}x){unstable(p)}"
                                 if p and base else "-")
                if any(c != "-" for c in cells):
                    rows.append([f"{v['label']}, {mode}" if not v.get("reference") else v["label"]]
                                + cells + [""] * (len(counts) - len(cells)))
        out.append(f"**{kernel}** (`{r.kernel(kernel).get('formula', kernel)}`), wall seconds for 100 ticks "
                   "(speedup over the same language's one-worker run):\n\n" + table(["variant"] + workers_header(counts), rows))
    return out, counts


def gil_and_ceilings(r, counts):
    """numpy-threads against numpy, and each book variant's distance from the measured ceiling."""
    book = [v for v in r.variants if v.get("book") and v.get("launcher") == "python"]
    pool = next((v["name"] for v in book if not v.get("hooks")), None)  # workers in processes of their own
    threads = next((v["name"] for v in book if v.get("hooks")), None)  # workers are threads of one process
    top = counts[-1] if counts else None
    lines = []
    for kernel in r.kernels():
        for mode in ("batched", "pertick"):
            a, b = (r.point(kernel, n, mode, BOOK_N, top) if n and top else None for n in (threads, pool))
            if a and b:
                lines.append(with_p(f"{kernel} {mode}: threads {a.gbps:.2f} GB/s against the pool's {b.gbps:.2f} "
                                    f"({a.gbps / b.gbps:.2f}x)", utest(a, b)))
    ceil = []
    for kernel in r.kernels():
        for v in [v for v in r.variants if v.get("book")]:
            w = 1 if v.get("reference") else top
            p = r.point(kernel, v["name"], "batched", BOOK_N, w) if w else None
            verdict = r.verdict(p.name) if p else None
            if verdict and "bandwidth_fraction" in verdict:
                frac = verdict["bandwidth_fraction"]
                comp = verdict.get("compute_fraction")
                ceil.append([kernel, v["label"], w, fmt(p.gbps, ".2f"), fmt(100 * frac, ".0f") + "%",
                             fmt(100 * comp, ".0f") + "%" if comp is not None else "-"])
    return lines, ceil


def book_section(r):
    tables, counts = book_tables(r)
    if not tables:
        return "## Against the book\n\n" + BOOK + " This folder has no points at the book's N (a sweep before it had them)."
    lines, ceil = gil_and_ceilings(r, counts)
    text = ("## Against the book\n\n" + BOOK + f" The same two loops on this machine, at N = {BOOK_N:,} "
            f"(footprint {human_bytes(r.footprint(BOOK_N) or 0)}), batched and per tick, every point checked: the "
            "book's method (numpy, and its exercise 2 on threads) against its own numpy serial loop, ours "
            "against C's serial loop. numpy rounds `vel * dt` before the add where the C loop fuses them into one "
            "FMA, so the two languages are not compared bit for bit.\n\n" + "\n\n".join(tables))
    if "†" in "".join(tables):
        text += ("\n\n† unstable: the machine made that point's timing unreliable (why: under \"How far to trust "
                 "this run\" and in verdicts.json); read it as one sample, not as settled.")
    if lines:
        text += ("\n\nThe GIL: numpy releases it inside its bulk operations, so threads are not the 'token speedup' "
                 f"the book expected; at {counts[-1]} workers, N = {BOOK_N:,}:\n\n" + "\n".join(f"- {l}" for l in lines))
    if ceil:
        text += ("\n\nDistance from the ceilings at N = 10,000,000 (batched; the probe's bandwidth ceiling at the "
                 "nearest size and the compute ceiling, as the verdicts measure them):\n\n"
                 + table(["kernel", "variant", "workers", "GB/s", "of bandwidth", "of compute"], ceil))
    return text


def per_n_section(r, plots):
    counts = r.worker_counts()
    out = ["## Every size\n\nGB/s (speedup over serial at that size) by worker count. Plots: "
           "`gbps-n<N>.png` and `speedup-n<N>.png`."]
    for n, target, level, fp in r.sizes():
        rows = []
        for kernel in r.kernels(baselines=True):
            for s in r.series():
                pts = {p.workers: p for p in r.select(kernel=kernel, variant=s.name, mode=s.mode, n=n)}
                if not pts:
                    continue
                cells = []
                for w in counts:
                    p = pts.get(w)
                    cells.append("-" if not p else "failed" if p.error else f"{p.gbps:.1f} ({p.speedup:.2f}x)")
                rows.append([kernel, s.label] + cells)
        gb, sp = plots["per_n"][n]
        where = f"{target} target" if target else f"the book's N, {level}" if n == BOOK_N and level != "?" else \
            "the book's N" if n == BOOK_N else level
        out.append(f"### n = {n} ({human_bytes(fp)}, {where})\n\n"
                   + table(["kernel", "variant"] + workers_header(counts), rows)
                   + f"\n\n[GB/s plot]({gb}) · [speedup plot]({sp})")
    return "\n\n".join(out)


def vectorisation_section(r):
    ref = r.reference()
    rows = []
    baselines = [k for k in r.kernels(baselines=True) if r.kernel(k).get("baseline")]
    for base in baselines:
        kernel = next((k for k in r.kernels() if base.startswith(k + "-")), None)
        for target in ("L2", "L3"):
            n = r.target_n(target)
            vec, sca = (r.point(k, ref["name"], "batched", n, 1) if ref and n and kernel else None for k in (kernel, base))
            if vec and sca:
                rows.append([target, n, kernel, f"{vec.ns_per_elem_tick:.3f}", base, f"{sca.ns_per_elem_tick:.3f}",
                             f"{sca.ns_per_elem_tick / vec.ns_per_elem_tick:.1f}x"])
    if not rows:
        return ""
    return ("## Vectorisation\n\nEach kernel against its baseline (the same loop as a plain -O3 build leaves it), "
            "serial, ns per element-tick:\n\n"
            + table(["size", "n", "kernel", "ns", "baseline", "ns", "gain"], rows))


def starve_section(r):
    """The emitting kernel: the scan (timed) and the merge of the workers' segments (apart)."""
    counts = r.worker_counts()
    rows = []
    kernels = emitting(r)
    for kernel in kernels:
        for n, target, level, fp in r.sizes():
            for s in r.series():
                if s.mode != "batched" or s.variant.get("launched"):
                    continue
                cells = []
                for w in ([1] if s.variant.get("reference") else counts):
                    p = r.point(kernel, s.name, "batched", n, w)
                    cells.append(f"{p.ns_per_elem_tick:.3f} ns, merge {p.merge_us:.0f} us" if p and finite(p.merge_us) else "-")
                if any(c != "-" for c in cells):
                    rows.append([n, target or level, s.name] + cells + [""] * (len(counts) - len(cells)))
    if not rows:
        return ""
    return (f"## {', '.join(kernels)}: the scan and the merge\n\n"
            "Each worker writes the indices whose energy is <= 0 into its own slice of a scratch array "
            "(its segment: disjoint by the partition, no lock, no buffer to size); after the runs one thread "
            "merges the segments in worker order into `to_remove`, equal to the serial scan bit for bit. "
            "Scan: ns per element-tick, median; merge: us, once per run, timed apart from the scan.\n\n"
            + table(["n", "size", "variant"] + workers_header(counts), rows))


def dispatch_section(r):
    counts = sorted({p.workers for p in r.points.values() if p.mode == "dispatch"})
    if not counts:
        return ""
    rows = []
    for s in r.dispatch_series():
        cells = []
        for w in counts:
            p = next((p for p in r.select(variant=s.name, mode="dispatch", workers=w) if not p.error), None)
            cells.append(f"{p.overhead_us:.3f} ({min(p.reps):.3f}..{max(p.reps):.3f})" if p and p.reps else "-")
        if any(c != "-" for c in cells):
            rows.append([f"{s.name}: {s.label}"] + cells)
    start_rows = []
    kernel = memory_kernel(r)
    for n, target, _, fp in r.sizes():
        if not target:
            continue
        for v in r.variants:
            cells = []
            for w in counts:
                p = r.point(kernel, v["name"], "startup", n, w)
                cells.append(f"{p.seconds * 1e3:.2f}" if p else "-")
            if any(c != "-" for c in cells):
                start_rows.append([f"{target} ({human_bytes(fp)})", v["name"]] + cells)
    launched = [v["label"] for v in r.teams() if v.get("launcher", "mpirun" if v.get("launched") else "") == "mpirun"]
    return ("## Dispatch and start-up\n\nPer-tick dispatch overhead, EPCC style: (per-tick run - batched run) / ticks "
            "on 1024 elements per worker, us: median (min..max over repetitions).\n\n"
            + table(["team"] + workers_header(counts), rows)
            + (f"\n\n{' and '.join(launched)} have no dispatcher: every rank runs its own loop and the ranks meet once "
               "per tick, where the other teams' parent releases and then joins its workers. Each of their "
               "repetitions is a batched and a per-tick mpirun job of its own." if launched else "")
            + "\n\nTeam start-up (prepare: create threads or fork, pin, first-touch the arrays), ms, median:\n\n"
            + table(["footprint", "variant"] + workers_header(counts), start_rows))


def noise_section(r):
    sweep = [p for p in r.points.values() if p.mode in ("batched", "pertick") and finite(p.cv) and not p.error]
    if not sweep:
        return "## Noise\n\nOne repetition per point: no spread to report."
    cvs = sorted(p.cv for p in sweep)
    worst = sorted(sweep, key=lambda p: -p.cv)[:5]
    return ("## Noise\n\n"
            f"Coefficient of variation of the repetitions' times, over {len(sweep)} points: median "
            f"{100 * statistics.median(cvs):.1f}%, 90th percentile {100 * cvs[int(0.9 * (len(cvs) - 1))]:.1f}%, "
            f"largest {100 * cvs[-1]:.1f}%. A point's repetitions ran back to back, each paired with a serial one. The noisiest points:\n\n"
            + table(["point", "cv", "GB/s (median)"], [[p.name, f"{100 * p.cv:.1f}%", fmt(p.gbps, ".1f")] for p in worst]))


def write(r, folder):
    plots = all_plots(r, folder)
    counts = r.worker_counts()
    kernels = ", ".join(f"{k} ({r.kernel(k).get('bound', '?')}-bound, {r.kernel(k).get('bytes_per_elem', float('nan')):g} "
                        "bytes per element-tick)" for k in r.kernels())
    sections = [
        f"# ceilings report: {r.title()}\n\n"
        f"Kernels {kernels}, run by {', '.join(v['label'] for v in r.variants if r.select(variant=v['name']))}, "
        f"over {len(r.sizes())} sizes and "
        f"{len(counts)} worker counts ({', '.join(map(str, counts))}); every point was checked against serial bit "
        "for bit. Regenerate with `ninja -C build report`.",
        "\n".join(f"> missing: {m}" for m in r.missing) if r.missing else "",
        answer_section(r),
        f"![the model against every point]({plots['model']})" if plots.get("model") else "",
        trust_section(r),
        book_section(r),
        machine_section(r),
        ceilings_section(r),
        f"![GB/s at the top worker count against N]({plots['ceiling']})",
        verdict_section(r),
        threads_vs_processes(r),
        f"![roofline]({plots['roofline']})",
        vectorisation_section(r),
        starve_section(r),
        dispatch_section(r),
        f"![dispatch overhead]({plots['dispatch']})",
    ]
    for target in ("L2", "DRAM"):
        n = r.target_n(target)
        if n in plots["per_n"]:
            gb, sp = plots["per_n"][n]
            sections.append(f"![GB/s at the {target} target]({gb})\n\n![speedup at the {target} target]({sp})")
    sections += [noise_section(r), per_n_section(r, plots)]
    text = "\n\n".join(s for s in sections if s) + "\n"
    path = os.path.join(folder, "report.md")
    write_whole(path, lambda f: f.write(text))
    return path


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) == 2 else 2
    folder = argv[1]
    if not os.path.isdir(folder):
        print(f"report: {folder} is not a results folder", file=sys.stderr)
        return 2
    r = Results(folder)
    try:
        path = write(r, folder)
    except OSError as e:
        print(f"report: cannot write into {folder}: {e.strerror or e}", file=sys.stderr)
        return 1
    for m in r.missing:
        print(f"report: missing {m}")
    print(f"report: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
