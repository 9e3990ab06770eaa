"""The report's plots: GB/s and speedup per N, ceiling against N, dispatch, roofline.

Each is written as PNG, with labelled axes and units, a legend, and the machine and date in the
title. One format: the report embeds PNG and every viewer shows it; the SVGs of plots with
hundreds of markers were as large and their diffs no easier to read.
"""
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

from results import write_whole  # noqa: E402

def human_bytes(b):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if b < 1024 or unit == "TiB":
            return f"{b:.0f} {unit}" if unit == "B" else f"{b:.1f} {unit}"
        b /= 1024


def save(fig, folder, stem):
    """Writes stem.png whole or not at all; returns its file name."""
    try:
        write_whole(os.path.join(folder, f"{stem}.png"),
                    lambda f: fig.savefig(f, format="png", bbox_inches="tight", dpi=110), binary=True)
    finally:
        plt.close(fig)
    return stem + ".png"


def _workers_axis(ax, counts):
    ax.set_xscale("log", base=2)
    ax.set_xticks(counts)
    ax.set_xticklabels([str(c) for c in counts])
    ax.set_xlim(counts[0] / 1.4, counts[-1] * 1.4)
    ax.set_xlabel("workers")
    ax.grid(True, alpha=0.3)


def _bytes_label(r, kernel):
    b = r.kernel(kernel).get("bytes_per_elem")
    return f"GB/s ({b:g} bytes per element-tick)" if b else "GB/s"


def _legend(ax, **kw):
    """The panel's legend, or, for a panel with nothing plotted (a kernel the sweep did not run
    at this N: the book's N runs motion and trig only), a line that says so."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kw)
    elif not ax.lines and not ax.collections:
        ax.text(0.5, 0.5, "not measured here", transform=ax.transAxes, ha="center", va="center", color="grey")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylabel("")


def _plot_series(ax, r, kernel, y, **where):
    """Every team's series at `where`, against workers: y(point) on the y axis."""
    for s in r.series(reference=False):
        pts = [p for p in r.select(kernel=kernel, variant=s.name, mode=s.mode, **where) if not p.error]
        if pts:
            ax.plot([p.workers for p in pts], [y(p) for p in pts], **s.style)


def gbps_per_n(r, n, target, level, footprint, folder):
    counts = r.worker_counts()
    kernels = r.kernels()
    fig, axes = plt.subplots(1, len(kernels), figsize=(5.2 * len(kernels), 4.3), squeeze=False, layout="constrained")
    ref = r.reference()
    for ax, kernel in zip(axes[0], kernels):
        _plot_series(ax, r, kernel, lambda p: p.gbps, n=n)
        serial = [r.point(kernel, ref["name"], "batched", n, 1)] if ref else []
        serial = [p for p in serial if p]
        if serial:
            ax.plot([1], [serial[0].gbps], **r.series()[0].style)
        ceiling = [(w, r.ceiling("daxpy", n, w)) for w in counts]
        ceiling = [(w, g) for w, g in ceiling if g]
        if ceiling:
            ax.plot(*zip(*ceiling), color="grey", linewidth=3, alpha=0.5, label="bandwidth ceiling (probe: daxpy_sp)")
        if r.kernel(kernel).get("bound") == "compute" and serial and r.probe:
            scaled = [(w, serial[0].gbps * r.compute(w)[1]) for w in counts if r.compute(w)]
            if scaled:
                ax.plot(*zip(*scaled), color="tab:green", linestyle=":", linewidth=2,
                        label="compute ceiling (serial x peakflops scaling)")
        _workers_axis(ax, counts)
        ax.set_ylabel(_bytes_label(r, kernel))
        ax.set_title(f"{kernel}: {r.kernel(kernel)['formula']}", fontsize=9)
        _legend(ax, fontsize=7)
    where = f"{target} target" if target else level
    fig.suptitle(f"GB/s against workers, n = {n} ({human_bytes(footprint)}, {where})\n{r.title()}", fontsize=10)
    return save(fig, folder, f"gbps-n{n}")


def speedup_per_n(r, n, target, level, footprint, folder):
    counts = r.worker_counts()
    kernels = r.kernels()
    knees = {(k["kernel"], k["variant"], k["mode"]): k.get("knee_workers") for k in r.knees() if k["n"] == n}
    predicted = {(k["kernel"], k["variant"], k["mode"]): k for k in r.knees() if k["n"] == n and k.get("predicted_speedups")}
    fig, axes = plt.subplots(1, len(kernels), figsize=(5.2 * len(kernels), 4.3), squeeze=False, layout="constrained")
    for ax, kernel in zip(axes[0], kernels):
        if not any(not p.error for p in r.select(kernel=kernel, n=n)):
            _legend(ax)  # nothing measured at this n: says so
            ax.set_title(f"{kernel}", fontsize=9)
            continue
        ax.plot(counts, counts, color="grey", linestyle=":", label="ideal")
        _plot_series(ax, r, kernel, lambda p: p.speedup, n=n)
        for s in r.series(reference=False):  # the model's curve beside each measured one, dashed
            k = predicted.get((kernel, s.name, s.mode))
            if k:
                ax.plot([x["workers"] for x in k["predicted_speedups"]], [x["speedup"] for x in k["predicted_speedups"]],
                        color=s.style["color"], linestyle="--", linewidth=1, alpha=0.7)
        if any(key[0] == kernel for key in predicted):
            ax.plot([], [], color="grey", linestyle="--", linewidth=1, label="the model (dashed)")
        for s in r.series(reference=False):
            pts = [p for p in r.select(kernel=kernel, variant=s.name, mode=s.mode, n=n) if not p.error]
            knee = knees.get((kernel, s.name, s.mode))
            if knee:
                at = [p for p in pts if p.workers == knee]
                if at:
                    ax.plot([knee], [at[0].speedup], marker="*", markersize=16, color=s.style["color"],
                            linestyle="none", alpha=0.6)
        ax.plot([], [], marker="*", markersize=12, color="grey", linestyle="none", label="knee")
        _workers_axis(ax, counts)
        ax.set_yscale("log", base=2)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_ylabel(f"speedup over {(r.reference() or {}).get('name', 'the reference')} at this n")
        ax.set_title(f"{kernel}", fontsize=9)
        _legend(ax, fontsize=7, loc="best")
    where = f"{target} target" if target else level
    fig.suptitle(f"Speedup against workers, n = {n} ({human_bytes(footprint)}, {where})\n{r.title()}", fontsize=10)
    return save(fig, folder, f"speedup-n{n}")


def ceiling_vs_n(r, folder):
    counts = r.worker_counts()
    top = counts[-1]
    # x: the footprint in bytes, or the elements where neither the plan nor the kernel table says
    sizes = [(n, t, lvl, fp if finite(fp) else n) for n, t, lvl, fp in r.sizes()]
    kernels = r.kernels()
    fig, axes = plt.subplots(1, len(kernels), figsize=(5.6 * len(kernels), 4.5), squeeze=False, layout="constrained")
    for ax, kernel in zip(axes[0], kernels):
        for s in r.series():
            w = 1 if s.variant.get("reference") else top
            pts = [(fp, p.gbps) for n, _, _, fp in sizes for p in [r.point(kernel, s.name, s.mode, n, w)] if p]
            if pts:
                style = dict(s.style, linestyle=":", label=f"{s.label} (1 worker)") if w == 1 else s.style
                ax.plot(*zip(*pts), **style)
        probe = [(fp, r.ceiling("daxpy", n, top)) for n, _, _, fp in sizes if r.ceiling("daxpy", n, top)]
        if probe:
            ax.plot(*zip(*probe), color="grey", linewidth=3, alpha=0.5, label=f"probe daxpy_sp, {top} workers")
        workers = (r.plan or {}).get("workers", [])
        if workers:
            w = workers[-1]
            for bytes_, name in ((w.get("l2_bytes"), "L2"), (w.get("l3_bytes"), "L3")):
                if bytes_:
                    ax.axvline(bytes_, color="tab:red", linestyle="--", alpha=0.6)
                    ax.text(bytes_, ax.get_ylim()[1] if ax.get_ylim()[1] > 1 else 1, f" {name} ({human_bytes(bytes_)})",
                            color="tab:red", fontsize=7, va="top", rotation=90)
        ax.set_xscale("log")
        ax.set_yscale("log")
        per = r.footprint(1)
        ax.set_xlabel(f"footprint (bytes resident: {per:g} per element)" if per else "n (elements)")
        ax.set_ylabel(f"GB/s at {top} workers")
        ax.set_title(kernel, fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        _legend(ax, fontsize=7, loc="lower left")
    fig.suptitle(f"The ceiling against N, at {top} workers (L2 and L3: the caches those workers use)\n{r.title()}",
                 fontsize=10)
    return save(fig, folder, "ceiling-vs-n")


def dispatch(r, folder):
    fig, ax = plt.subplots(figsize=(6, 4.2), layout="constrained")
    shown = False
    for series in r.dispatch_series():
        style = dict(series.style, linestyle="none")
        pts = [p for p in r.select(variant=series.name, mode="dispatch") if not p.error]
        if not pts:
            continue
        shown = True
        ws = [p.workers for p in pts]
        med = [max(p.overhead_us, 1e-3) for p in pts]
        lo = [m - max(min(p.reps), 1e-3) if p.reps else 0 for m, p in zip(med, pts)]
        hi = [max(p.reps) - m if p.reps else 0 for m, p in zip(med, pts)]
        ax.errorbar(ws, med, yerr=[[max(v, 0) for v in lo], [max(v, 0) for v in hi]], capsize=3, **style)
    if shown:
        _workers_axis(ax, sorted({p.workers for p in r.points.values() if p.mode == "dispatch"}))
    ax.set_yscale("log")
    ax.set_ylabel("per-tick dispatch overhead (us)\n(pertick - batched) / ticks")
    _legend(ax, fontsize=7)
    ax.set_title(f"Dispatch overhead (median, bars: min to max of the repetitions)\n{r.title()}", fontsize=9)
    return save(fig, folder, "dispatch")


def roofline(r, folder):
    counts = r.worker_counts()
    top = counts[-1]
    fig, ax = plt.subplots(figsize=(6.6, 4.8), layout="constrained")
    intensities = [10 ** (e / 20) for e in range(-40, 41)]  # 0.01 .. 100, dense enough to show the ridge
    peak = r.compute(top)
    if peak:
        ax.axhline(peak[0], color="black", linewidth=2, label=f"peak SP flops, {top} workers ({peak[0]:.0f} GFlop/s)")
    for target, color in (("L2", "tab:green"), ("L3", "tab:purple"), ("DRAM", "tab:red")):
        n = next((s[0] for s in r.sizes() if s[1] == target), None)
        bw = r.ceiling("daxpy", n, top) if n else None
        if bw:
            ys = [min(bw * i, peak[0] if peak else float("inf")) for i in intensities]
            ax.plot(intensities, ys, color=color, label=f"{target} bandwidth ({bw:.0f} GB/s)")
    kernels = [k for k in r.kernels() if r.kernel(k).get("flops_per_elem") and r.kernel(k).get("bytes_per_elem")]
    for kernel, marker in zip(kernels, "osD^v<>"):
        facts = r.kernel(kernel)
        model_i = facts["flops_per_elem"] / facts["bytes_per_elem"]
        for target, color in (("L2", "tab:green"), ("DRAM", "tab:red")):
            n = next((s[0] for s in r.sizes() if s[1] == target), None)
            pts = [p for p in r.select(kernel=kernel, n=n, workers=top) if p.mode == "batched" and not p.error] if n else []
            if not pts:
                continue
            best = max(pts, key=lambda p: p.gbps)
            flops = best.gbps / facts["bytes_per_elem"] * facts["flops_per_elem"]
            ax.plot([model_i], [flops], marker=marker, color=color, markersize=9, linestyle="none",
                    label=f"{kernel} at the {target} target (model intensity {model_i:.2f})")
            counted = r.counted(best.name)
            if counted and counted.get("intensity"):
                ax.plot([counted["intensity"]], [flops], marker=marker, mfc="none", color=color, markersize=11,
                        linestyle="none", label=f"{kernel}, {target}: measured intensity")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(intensities[0], intensities[-1])
    ax.set_xlabel("operational intensity (flop per byte moved)")
    ax.set_ylabel("GFlop/s (single precision)")
    ax.grid(True, which="both", alpha=0.3)
    _legend(ax, fontsize=6.5, loc="lower right")
    flops = ", ".join(f"{k} {r.kernel(k)['flops_per_elem']:g}" for k in kernels)
    ax.set_title(f"Roofline at {top} workers (model flops per element: {flops})\n{r.title()}", fontsize=9)
    return save(fig, folder, "roofline")


def model_fit(r, folder):
    """The model's prediction against the measured time, every point it predicts: log-log, y = x,
    the band it is counted right in, coloured by level; hollow where the point is unstable."""
    verdicts = (r.verdicts or {}).get("points", [])
    band = (r.verdicts or {}).get("validation", {}).get("tolerance", 0.15)
    pts = [v for v in verdicts if v.get("predicted_ns_per_elem_tick") and v.get("model_error") is not None]
    if not pts:
        return None
    fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
    colors = {"L2": "tab:green", "L3": "tab:purple", "between": "tab:orange", "DRAM": "tab:red"}
    for level, color in colors.items():
        for stable, fill in ((True, color), (False, "none")):
            sel = [v for v in pts if v.get("level") == level and bool(v.get("stable", True)) == stable]
            if not sel:
                continue
            x = [v["predicted_ns_per_elem_tick"] for v in sel]
            y = [v["predicted_ns_per_elem_tick"] * (1 + v["model_error"]) for v in sel]
            ax.plot(x, y, "o", mfc=fill, color=color, markersize=4, linestyle="none",
                    label=f"{level}{'' if stable else ', unstable'} ({len(sel)})")
    lo = min(min(v["predicted_ns_per_elem_tick"], v["predicted_ns_per_elem_tick"] * (1 + v["model_error"])) for v in pts)
    hi = max(max(v["predicted_ns_per_elem_tick"], v["predicted_ns_per_elem_tick"] * (1 + v["model_error"])) for v in pts)
    xs = [lo / 1.2, hi * 1.2]
    ax.plot(xs, xs, color="black", linewidth=1, label="measured = predicted")
    ax.fill_between(xs, [x * (1 - band) for x in xs], [x * (1 + band) for x in xs], color="grey", alpha=0.2,
                    label=f"within {100 * band:.0f}%")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("predicted ns per element-tick")
    ax.set_ylabel("measured ns per element-tick")
    ax.grid(True, which="both", alpha=0.3)
    _legend(ax, fontsize=7)
    ax.set_title(f"The model against every point it predicts\n{r.title()}", fontsize=9)
    return save(fig, folder, "model")


def all_plots(r, folder):
    """Every plot; returns {"per_n": {n: (gbps, speedup)}, "ceiling", "dispatch", "roofline", "model"}."""
    out = {"per_n": {}}
    for n, target, level, fp in r.sizes():
        out["per_n"][n] = (gbps_per_n(r, n, target, level, fp, folder), speedup_per_n(r, n, target, level, fp, folder))
    out["ceiling"] = ceiling_vs_n(r, folder)
    out["dispatch"] = dispatch(r, folder)
    out["roofline"] = roofline(r, folder)
    out["model"] = model_fit(r, folder)
    return out


def finite(x):
    return isinstance(x, (int, float)) and math.isfinite(x)
