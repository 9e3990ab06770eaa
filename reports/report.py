#!/usr/bin/env python3
"""ceilings report: plots and report.md for one results folder.

Usage: report.py RESULTS_DIR

Reads the folder's JSON (bench.json required; probe.json, plan.json, verdicts.json and
profile.json when present) and writes, into the same folder, report.md with PNG plots (SVG
beside each). A folder with missing parts still gets a report, which says what is missing.
"""
import json
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from plots import all_plots, finite, human_bytes  # noqa: E402
from results import Results  # noqa: E402

BOOK = ("The book this project grew from measured, in Python on 8 cores, a memory-bound kernel "
        "at 4.25x on 2 workers, capped near 4x, and a compute-bound kernel at 5.49x on 8 workers.")


def fmt(x, spec=".2f", none="-"):
    return format(x, spec) if finite(x) else none


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def target_n(r, target):
    return next((n for n, t, _, _ in r.sizes() if t == target), None)


def point(r, kernel, variant, mode, n, workers):
    pts = r.select(kernel=kernel, variant=variant, mode=mode, n=n, workers=workers)
    return pts[0] if pts and not pts[0].error else None


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
    src = r.probe.get("source", {})
    return ("## Ceilings\n\n"
            f"Bandwidth from {src.get('bandwidth', '?')}; compute from {src.get('compute', '?')}. "
            "GB/s counted as likwid-bench counts its traffic (daxpy: 12 bytes per element, as the motion kernel).\n\n"
            + table(["footprint", "test"] + [f"{w} worker{'s' if w > 1 else ''}" for w in counts], rows))


def verdict_section(r):
    if not r.verdicts:
        return "## Where the speedup stops\n\nNo verdicts: this folder has no verdicts.json (run `ceilings explain`)."
    counts = r.worker_counts()
    top = counts[-1]
    rows = []
    for target in ("L2", "L3", "DRAM"):
        n = target_n(r, target)
        if n is None:
            continue
        for kernel in r.kernels():
            for variant, mode in (("serial", "batched"), ("omp", "batched"), ("omp", "pertick"),
                                  ("proc", "batched"), ("proc", "pertick"), ("mpi", "batched"), ("mpi", "pertick")):
                w = 1 if variant == "serial" else top
                v = r.verdict(f"{kernel}/{variant}/{mode}/n:{n}/workers:{w}")
                if not v:
                    continue
                rows.append([target, kernel, f"{variant} {mode if variant != 'serial' else ''}".strip(), w,
                             fmt(v.get("gbps"), ".1f"),
                             fmt(100 * v["bandwidth_fraction"], ".0f") + "%" if "bandwidth_fraction" in v else "-",
                             fmt(100 * v["compute_fraction"], ".0f") + "%" if "compute_fraction" in v else "-",
                             fmt(100 * v["dispatch_share"], ".0f") + "%" if "dispatch_share" in v else "-",
                             f"**{v['verdict']}**"])
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(r.verdicts.get("summary", {}).items()))
    small = min(n for n, *_ in r.sizes())
    small_rows = []
    for kernel in r.kernels():
        for variant in ("omp", "proc", "mpi"):
            v = r.verdict(f"{kernel}/{variant}/pertick/n:{small}/workers:{top}")
            if v:
                small_rows.append([kernel, f"{variant} pertick", top, fmt(v.get("gbps"), ".1f"),
                                   fmt(100 * v.get("dispatch_share", float("nan")), ".0f") + "%", f"**{v['verdict']}**"])
    knees = [[k["kernel"], int(k["n"]), k["variant"], k["mode"],
              " ".join(f"{int(s['workers'])}:{s['speedup']:.2f}" for s in k["speedups"]),
              int(k["knee_workers"]) if k.get("knee_workers") else "none"]
             for k in r.knees() if any(k["n"] == n for n, t, _, _ in r.sizes() if t)]
    notes = "\n".join(f"- {n}" for n in r.verdicts.get("notes", []))
    th = r.verdicts.get("thresholds", {})
    return ("## Where the speedup stops\n\n"
            f"Verdicts for every point are in `verdicts.txt` and `verdicts.json` ({summary}). A ceiling binds at "
            f"{100 * th.get('reached', 0.8):.0f}% of it, counting the time outside dispatch; dispatch binds at "
            f"{100 * th.get('dispatch_bound', 0.5):.0f}% of a tick; otherwise the point is *unexplained* and its "
            "fractions are given instead of a guess.\n\n" + notes + "\n\n"
            + table(["size", "kernel", "variant", "workers", "GB/s", "of bandwidth", "of compute", "dispatch", "verdict"], rows)
            + f"\n\nAt the smallest size (n = {small}, {human_bytes(small * 8)}), per tick:\n\n"
            + table(["kernel", "variant", "workers", "GB/s", "dispatch", "verdict"], small_rows)
            + "\n\nThe knee: the worker count after which adding workers gives less than "
            f"{100 * th.get('knee', 0.25):.0f}% of the ideal gain (speedups over serial by worker count).\n\n"
            + table(["kernel", "n", "variant", "mode", "speedups", "knee"], knees))


def threads_vs_processes(r):
    counts = r.worker_counts()
    top = counts[-1]
    parts = []
    for target in ("DRAM", "L2"):
        n = target_n(r, target)
        omp, proc = (point(r, "motion", v, "batched", n, top) for v in ("omp", "proc")) if n else (None, None)
        if omp and proc:
            parts.append(f"on motion at the {target} target ({top} workers, batched) OpenMP reaches {omp.gbps:.1f} GB/s "
                         f"and processes {proc.gbps:.1f} GB/s ({proc.gbps / omp.gbps:.2f}x)")
    dis = {v: next((p for p in r.select(variant=v, mode="dispatch", workers=top) if not p.error), None)
           for v in ("omp", "proc", "proc-pthread")}
    if dis["omp"] and dis["proc"]:
        text = (f"a per-tick dispatch costs OpenMP {dis['omp'].overhead_us:.2f} us and the process team "
                f"{dis['proc'].overhead_us:.2f} us ({dis['proc'].overhead_us / dis['omp'].overhead_us:.2f}x)")
        if dis["proc-pthread"]:
            text += f", {dis['proc-pthread'].overhead_us:.1f} us with a pthread process-shared barrier instead"
        parts.append(text)
    reached = []
    for target in ("DRAM", "L2"):
        n = target_n(r, target)
        omp, mpi = (point(r, "motion", v, "batched", n, top) for v in ("omp", "mpi")) if n else (None, None)
        if omp and mpi:
            reached.append(f"{mpi.gbps:.1f} GB/s at the {target} target ({mpi.gbps / omp.gbps:.2f}x OpenMP)")
    if reached:
        parts.append("MPI ranks sharing the arrays through MPI-3 windows reach, on motion, " + " and ".join(reached))
    if dis.get("omp"):
        mdis = {v: next((p for p in r.select(variant=v, mode="dispatch", workers=top) if not p.error), None)
                for v in ("mpi", "mpi-futex")}
        if mdis["mpi"]:
            text = f"a per-tick MPI_Barrier costs {mdis['mpi'].overhead_us:.2f} us"
            if mdis["mpi-futex"]:
                text += f" and a futex barrier in the shared window {mdis['mpi-futex'].overhead_us:.2f} us"
            parts.append(text)
    n = target_n(r, "L2")
    start = {v: point(r, "motion", v, "startup", n, top if v != "serial" else 1) for v in ("serial", "omp", "proc")} if n else {}
    if start.get("omp") and start.get("proc"):
        parts.append(f"starting the team (with first touch of {human_bytes(n * 8)}) takes "
                     f"{start['omp'].seconds * 1e3:.2f} ms for threads and {start['proc'].seconds * 1e3:.2f} ms for "
                     f"processes" + (f" ({start['serial'].seconds * 1e3:.2f} ms for one thread alone)" if start.get("serial") else ""))
    if not parts:
        return ""
    return ("## Threads or processes?\n\nOn this machine, with " + f"{top} workers: " + "; ".join(parts) + ". "
            "All run the same compiled loop on the same slices of the same kind of memory, so the differences "
            "are the execution model's: how work is dispatched and how a team starts, not how fast a core "
            "streams data.")


def book_section(r):
    counts = r.worker_counts()
    rows = []
    for kernel, target in (("motion", "DRAM"), ("trig", "L2")):
        n = target_n(r, target)
        for w in counts:
            best = max((p for p in (point(r, kernel, v, "batched", n, w) for v in ("omp", "proc")) if p),
                       key=lambda p: p.speedup, default=None) if n else None
            if best:
                rows.append([kernel, target, w, f"{best.speedup:.2f}x", best.variant])
    return ("## Against the book\n\n" + BOOK + " Here, in C, the best batched speedup over serial at the same N:\n\n"
            + table(["kernel", "size", "workers", "speedup", "variant"], rows)
            + f"\n\nWith {counts[-1]} workers at most, this machine cannot show where an 8-worker curve bends; "
            "the ceilings above say where it would: the memory-bound kernel stops where the bandwidth ceiling "
            "stops growing with workers, the compute-bound one where compute stops scaling.")


def per_n_section(r, plots):
    counts = r.worker_counts()
    out = ["## Every size\n\nGB/s (speedup over serial at that size) by worker count. Plots: "
           "`gbps-n<N>.png` and `speedup-n<N>.png` (SVG beside them)."]
    for n, target, level, fp in r.sizes():
        rows = []
        for kernel in r.kernels(baselines=True):
            for variant, mode in (("serial", "batched"), ("omp", "batched"), ("omp", "pertick"),
                                  ("proc", "batched"), ("proc", "pertick"), ("mpi", "batched"), ("mpi", "pertick")):
                pts = {p.workers: p for p in r.select(kernel=kernel, variant=variant, mode=mode, n=n)}
                if not pts:
                    continue
                cells = []
                for w in counts:
                    p = pts.get(w)
                    cells.append("-" if not p else "failed" if p.error else f"{p.gbps:.1f} ({p.speedup:.2f}x)")
                rows.append([kernel, f"{variant} {mode}" if variant != "serial" else "serial"] + cells)
        gb, sp = plots["per_n"][n]
        out.append(f"### n = {n} ({human_bytes(fp)}, {target + ' target' if target else level})\n\n"
                   + table(["kernel", "variant"] + [f"{w} worker{'s' if w > 1 else ''}" for w in counts], rows)
                   + f"\n\n[GB/s plot]({gb}) · [speedup plot]({sp})")
    return "\n\n".join(out)


def vectorisation_section(r):
    rows = []
    for target in ("L2", "L3"):
        n = target_n(r, target)
        vec, sca = point(r, "trig", "serial", "batched", n, 1), point(r, "trig-scalar", "serial", "batched", n, 1)
        if vec and sca:
            rows.append([target, n, f"{vec.ns_per_elem_tick:.3f}", f"{sca.ns_per_elem_tick:.3f}",
                         f"{sca.ns_per_elem_tick / vec.ns_per_elem_tick:.1f}x"])
    if not rows:
        return ""
    return ("## Vectorisation\n\nThe trig kernel through libmvec's vector sinf/cosf against the same loop as a plain "
            "-O3 build leaves it (one scalar sincosf per element), serial, ns per element-tick:\n\n"
            + table(["size", "n", "vector (libmvec)", "scalar (sincosf)", "gain"], rows))


def starve_section(r):
    """The emitting kernel: the scan (timed) and the merge of the workers' segments (apart)."""
    counts = r.worker_counts()
    rows = []
    for n, target, level, fp in r.sizes():
        for variant, mode in (("serial", "batched"), ("omp", "batched"), ("proc", "batched")):
            cells = []
            for w in ([1] if variant == "serial" else counts):
                p = point(r, "starve", variant, mode, n, w)
                cells.append(f"{p.ns_per_elem_tick:.3f} ns, merge {p.merge_us:.0f} us" if p and finite(p.merge_us) else "-")
            if any(c != "-" for c in cells):
                rows.append([n, target or level, variant] + cells + [""] * (len(counts) - len(cells)))
    if not rows:
        return ""
    return ("## starve: the scan and the merge\n\n"
            "Each worker writes the indices whose energy is <= 0 into its own slice of a scratch array "
            "(its segment: disjoint by the partition, no lock, no buffer to size); after the runs one thread "
            "merges the segments in worker order into `to_remove`, equal to the serial scan bit for bit. "
            "Scan: ns per element-tick, median; merge: us, once per run, timed apart from the scan.\n\n"
            + table(["n", "size", "variant"] + [f"{w} worker{'s' if w > 1 else ''}" for w in counts], rows))


TEAMS = {
    "omp": "omp (a parallel region per tick)",
    "proc": "proc (futex barrier, release and join)",
    "proc-pthread": "proc-pthread (pthread barrier, release and join)",
    "mpi": "mpi (one MPI_Barrier per tick)",
    "mpi-futex": "mpi-futex (one futex barrier in the shared window per tick)",
}


def dispatch_section(r):
    counts = sorted({p.workers for p in r.points.values() if p.mode == "dispatch"})
    if not counts:
        return ""
    rows = []
    for v in ("omp", "proc", "proc-pthread", "mpi", "mpi-futex"):
        cells = []
        for w in counts:
            p = next((p for p in r.select(variant=v, mode="dispatch", workers=w) if not p.error), None)
            cells.append(f"{p.overhead_us:.3f} ({min(p.reps):.3f}..{max(p.reps):.3f})" if p and p.reps else "-")
        if v.startswith("mpi") and all(c == "-" for c in cells):
            continue
        rows.append([TEAMS[v]] + cells)
    start_rows = []
    for n, target, _, fp in r.sizes():
        if not target:
            continue
        for v in ("serial", "omp", "proc"):
            cells = []
            for w in counts:
                p = point(r, "motion", v, "startup", n, w)
                cells.append(f"{p.seconds * 1e3:.2f}" if p else "-")
            if any(c != "-" for c in cells):
                start_rows.append([f"{target} ({human_bytes(fp)})", v] + cells)
    return ("## Dispatch and start-up\n\nPer-tick dispatch overhead, EPCC style: (per-tick run - batched run) / ticks "
            "on 1024 elements per worker, us: median (min..max over repetitions).\n\n"
            + table(["team"] + [f"{w} worker{'s' if w > 1 else ''}" for w in counts], rows)
            + ("\n\nThe MPI rows have no dispatcher: every rank runs its own loop and the ranks meet once per "
               "tick, where the other teams' parent releases and then joins its workers. Each MPI repetition is a "
               "batched and a per-tick mpirun job of its own."
               if any(p.variant.startswith("mpi") for p in r.points.values() if p.mode == "dispatch") else "")
            + "\n\nTeam start-up (prepare: create threads or fork, pin, first-touch the arrays), ms, median:\n\n"
            + table(["footprint", "variant"] + [f"{w} worker{'s' if w > 1 else ''}" for w in counts], start_rows))


def noise_section(r):
    sweep = [p for p in r.points.values() if p.mode in ("batched", "pertick") and finite(p.cv) and not p.error]
    if not sweep:
        return "## Noise\n\nOne repetition per point: no spread to report."
    cvs = sorted(p.cv for p in sweep)
    worst = sorted(sweep, key=lambda p: -p.cv)[:5]
    return ("## Noise\n\n"
            f"Coefficient of variation of the repetitions' times, over {len(sweep)} points: median "
            f"{100 * statistics.median(cvs):.1f}%, 90th percentile {100 * cvs[int(0.9 * (len(cvs) - 1))]:.1f}%, "
            f"largest {100 * cvs[-1]:.1f}%. Repetitions ran in random order. The noisiest points:\n\n"
            + table(["point", "cv", "GB/s (median)"], [[p.name, f"{100 * p.cv:.1f}%", fmt(p.gbps, ".1f")] for p in worst]))


def write(r, folder):
    plots = all_plots(r, folder)
    counts = r.worker_counts()
    sections = [
        f"# ceilings report: {r.title()}\n\n"
        f"Two kernels of 12 bytes per element-tick, motion (memory-bound) and trig (compute-bound), run serially, "
        f"with OpenMP threads and with forked processes on shared memory, over {len(r.sizes())} sizes and "
        f"{len(counts)} worker counts ({', '.join(map(str, counts))}); every point was checked against serial bit "
        "for bit. Regenerate with `ninja -C build report`.",
        "\n".join(f"> missing: {m}" for m in r.missing) if r.missing else "",
        machine_section(r),
        ceilings_section(r),
        f"![GB/s at the top worker count against N]({plots['ceiling']})",
        verdict_section(r),
        threads_vs_processes(r),
        book_section(r),
        f"![roofline]({plots['roofline']})",
        vectorisation_section(r),
        starve_section(r),
        dispatch_section(r),
        f"![dispatch overhead]({plots['dispatch']})",
    ]
    for target in ("L2", "DRAM"):
        n = target_n(r, target)
        if n in plots["per_n"]:
            gb, sp = plots["per_n"][n]
            sections.append(f"![GB/s at the {target} target]({gb})\n\n![speedup at the {target} target]({sp})")
    sections += [noise_section(r), per_n_section(r, plots)]
    text = "\n\n".join(s for s in sections if s) + "\n"
    path = os.path.join(folder, "report.md")
    try:
        with open(path + ".part", "w") as f:
            f.write(text)
        os.replace(path + ".part", path)
    finally:
        if os.path.exists(path + ".part"):
            os.remove(path + ".part")
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
