#!/usr/bin/env python3
"""ceilings compare: two results folders, through Google Benchmark's own compare tool.

Usage: compare.py OLD NEW GBENCH_DIR [OUT_DIR]

Matches the points of OLD and NEW by name where both measured the same N, and otherwise, across
machines whose caches differ, by kernel, variant, mode, target (L2, L3, DRAM) and workers. Every
time is first made per 1000 element-ticks (real_time / N), so a ratio means the same work on both
sides. Google Benchmark's report (gbench.report, as tools/compare.py uses it) gives the changes
and the Mann-Whitney U-test on the repetitions; this adds the ratio per kernel, variant and level
with its p-value, the verdicts where they changed, and a plot (old against new, log-log, a panel a
kernel): compare.md and compare.png in OUT_DIR (default NEW). Exit status: 0 ok; 1 cannot write or import; 2 a folder without
bench.json, or nothing in common.
"""
import copy
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import NAME, Results, write_whole  # noqa: E402


def fail(code, message):
    print(f"ceilings compare: {message}", file=sys.stderr)
    sys.exit(code)


def targets(r):
    return {n: t for n, t, _, _ in r.sizes() if t}


def key_of(r, parts):
    """Where a point stands on its machine: its target level if its N is one, else its N."""
    where = targets(r).get(int(parts["n"]), f"n:{parts['n']}")
    return (parts["kernel"], parts["variant"], parts["mode"], where, int(parts["workers"]))


def matched(old, new):
    """{name: (old name, new name)}, by name where the N agree, else by target and workers."""
    names = {"old": {}, "new": {}}
    for side, r in (("old", old), ("new", new)):
        for p in r.points.values():
            if p.mode in ("batched", "pertick") and not p.error:
                names[side][p.name] = key_of(r, NAME.match(p.name))
    out = {n: (n, n) for n in names["old"] if n in names["new"]}
    by_key = {k: n for n, k in names["new"].items() if n not in out}
    for n, k in names["old"].items():
        if n not in out and k in by_key and not k[3].startswith("n:"):
            kernel, variant, mode, level, w = k
            out[f"{kernel}/{variant}/{mode}/{level}/workers:{w}"] = (n, by_key[k])
    return out


def per_element(doc, pairs, side):
    """The benchmarks of the matched points, renamed to their common name, times per element-tick
    (folders from before real_time meant one tick hold a repetition's time: over its ticks)."""
    rename = {names[side]: common for common, names in pairs.items()}
    per_tick = doc.get("context", {}).get("iteration") == "one tick"
    ticks_of = {b["run_name"]: b.get("ticks", 1) for b in doc.get("benchmarks", []) if b.get("run_type") == "iteration"}
    out = copy.deepcopy(doc)
    out["benchmarks"] = []
    for b in doc.get("benchmarks", []):
        common = rename.get(b.get("run_name"))
        if not common or b.get("error_occurred") or b.get("aggregate_name") == "cv":
            continue
        b = dict(b)
        n = int(NAME.match(b["run_name"])["n"])
        ticks = 1 if per_tick else ticks_of.get(b["run_name"], 1) or 1
        b["name"] = common + (f"_{b['aggregate_name']}" if b.get("run_type") == "aggregate" else "")
        b["run_name"] = common
        scale = (1e3 if b.get("time_unit") == "us" else 1.0) / n / ticks * 1e3  # to ns per 1000 element-ticks
        b["real_time"], b["cpu_time"], b["time_unit"] = b["real_time"] * scale, b["cpu_time"] * scale, "ns"
        out["benchmarks"].append(b)
    return out


def ns_median(r, name):
    p = r.points.get(name)
    return p.ns_per_elem_tick if p else float("nan")


def rows_of(old, new, pairs, report):
    utests = {d["name"]: d.get("utest") or {} for d in report}
    rows = []
    for common, (o, n) in sorted(pairs.items()):
        a, b = ns_median(old, o), ns_median(new, n)
        u = utests.get(common, {})
        vo, vn = old.verdict(o), new.verdict(n)
        rows.append(dict(point=common, old=o, new=n, old_ns=a, new_ns=b, ratio=b / a if a else float("nan"),
                         pvalue=u.get("time_pvalue"), reps=(u.get("nr_of_repetitions"), u.get("nr_of_repetitions_other")),
                         verdict_old=vo["verdict"] if vo else "", verdict_new=vn["verdict"] if vn else ""))
    return rows


def level_of(r, name):
    parts = NAME.match(name)
    return targets(r).get(int(parts["n"])) if parts else None


def write_markdown(old, new, rows, path, alpha):
    head = (f"# ceilings compare\n\nOld: `{old.folder}` ({old.title()})\n\nNew: `{new.folder}` ({new.title()})\n\n"
            "Ratio: new / old ns per element-tick (the median repetition), so above 1 is slower. p: Google "
            "Benchmark's Mann-Whitney U-test on the repetitions' times per element-tick "
            f"(a difference at p < {alpha}); `-` where either side has fewer than 2 repetitions.\n\n")
    weak = [r for r in rows if r["reps"][0] and min(r["reps"]) < 9]
    if weak:
        head += (f"{len(weak)} of {len(rows)} comparisons rest on fewer than 9 repetitions a side: "
                 "Google Benchmark calls such U-tests weak (run `-Dsweep=full` for 10).\n\n")
    lines = ["| point | old (ns) | new (ns) | ratio | p | |", "|---|---|---|---|---|---|"]
    for r in rows:
        p = r["pvalue"]
        sig = "-" if p is None else ("different" if p < alpha else "no difference")
        lines.append(f"| {r['point']} | {r['old_ns']:.4f} | {r['new_ns']:.4f} | {r['ratio']:.3f} | "
                     f"{'-' if p is None else format(p, '.3g')} | {sig} |")
    changed = [r for r in rows if r["verdict_old"] and r["verdict_new"] and r["verdict_old"] != r["verdict_new"]]
    verdicts = ["| point | old verdict | new verdict |", "|---|---|---|"]
    verdicts += [f"| {r['point']} | {r['verdict_old']} | {r['verdict_new']} |" for r in changed]
    text = (head + "\n".join(lines) + "\n\n## Verdicts that changed\n\n"
            + ("\n".join(verdicts) if changed else "None.") + "\n\n![ratios](compare.png)\n")
    write_whole(path, lambda f: f.write(text))


def plot(old, new, rows, folder):
    """Old against new ns per element-tick on log-log axes, one panel per kernel: a point on the
    diagonal did not move, above it is slower. About 1800 pixels wide whatever the sweep's size."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from plots import save

    kernels = sorted({r["point"].split("/")[0] for r in rows})
    colors = {v["name"]: v.get("color") for v in new.variants + old.variants}
    markers = {"batched": "o", "pertick": "s"}
    fig, axes = plt.subplots(1, len(kernels), figsize=(min(16.5, 4.2 * len(kernels)), 4.4), layout="constrained",
                             squeeze=False)
    for ax, kernel in zip(axes[0], kernels):
        mine = [r for r in rows if r["point"].startswith(kernel + "/") and r["old_ns"] > 0 and r["new_ns"] > 0]
        for variant in sorted({r["point"].split("/")[1] for r in mine}):
            for mode, marker in markers.items():
                pts = [r for r in mine if r["point"].split("/")[1] == variant and r["point"].split("/")[2] == mode]
                if not pts:
                    continue
                sig = [r["pvalue"] is not None and r["pvalue"] < 0.05 for r in pts]
                color = colors.get(variant.split("-")[0]) or "grey"
                ax.scatter([r["old_ns"] for r in pts], [r["new_ns"] for r in pts], marker=marker, s=22,
                           facecolors=[color if f else "none" for f in sig], edgecolors=color,
                           label=f"{variant} {mode}")
        values = [v for r in mine for v in (r["old_ns"], r["new_ns"])]
        if values:
            lo, hi = min(values) / 1.3, max(values) * 1.3
            ax.plot([lo, hi], [lo, hi], color="grey", linestyle=":", linewidth=1)
            ax.fill_between([lo, hi], [lo / 1.15, hi / 1.15], [lo * 1.15, hi * 1.15], color="grey", alpha=0.12,
                            linewidth=0)
            ax.set_xlim(lo, hi)
            ax.set_ylim(lo, hi)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"{kernel}: {len(mine)} points", fontsize=9)
        ax.set_xlabel("old ns per element-tick")
        ax.set_ylabel("new ns per element-tick")
        ax.legend(fontsize=6, loc="upper left")
    fig.suptitle(f"old {old.title()}\nnew {new.title()}\n(filled: U-test p < 0.05; band: within 15%)",
                 fontsize=8)
    return save(fig, folder, "compare")


def main(argv):
    if len(argv) not in (4, 5) or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) == 2 else 2
    old_dir, new_dir, gbench_dir = argv[1], argv[2], argv[3]
    out = argv[4] if len(argv) == 5 else new_dir
    for d in (old_dir, new_dir):
        if not os.path.isfile(os.path.join(d, "bench.json")):
            fail(2, f"{d} has no bench.json (a results folder of ninja bench)")
    sys.path.insert(0, gbench_dir)
    try:
        from gbench import report as gbench_report
    except ImportError as e:
        fail(1, f"cannot import Google Benchmark's compare tool from {gbench_dir} ({e}): apt-get install "
                "libbenchmark-tools python3-scipy")
    old, new = Results(old_dir), Results(new_dir)
    pairs = matched(old, new)
    if not pairs:
        fail(2, f"{old_dir} and {new_dir} have no point in common (no N and no target level with the same "
                "kernel, variant, mode and workers)")
    j1, j2 = per_element(old.bench, pairs, 0), per_element(new.bench, pairs, 1)
    report = gbench_report.get_difference_report(j1, j2, utest=True)
    alpha = 0.05
    print(f"old: {old.title()}\nnew: {new.title()}\n"
          "times: ns per 1000 element-ticks (real_time / N); points matched by N, else by target level and workers")
    for line in gbench_report.print_difference_report(report, include_aggregates_only=True, utest=True,
                                                      utest_alpha=alpha, use_color=False):
        print(line)
    rows = rows_of(old, new, pairs, report)
    try:
        write_markdown(old, new, rows, os.path.join(out, "compare.md"), alpha)
        plot(old, new, rows, out)
    except OSError as e:
        fail(1, f"cannot write into {out}: {e.strerror or e}")
    print(f"ceilings compare: {len(rows)} points matched; {os.path.join(out, 'compare.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
