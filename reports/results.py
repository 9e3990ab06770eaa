"""A results folder read back: the sweep's medians, the probe's ceilings, the plan, the verdicts,
and the kernel and variant tables the sweep wrote into its context.

Every figure and every fact comes from the folder's JSON files; nothing here measures, imports C
or restates what the kernel and variant tables hold. Parts a folder may lack (probe.json without
likwid-bench or when interrupted, profile.json without counters, verdicts.json before `ceilings
explain`) are None, and `missing` says what each absence costs the report.
"""
import json
import os
import re
from dataclasses import dataclass, field

# KERNEL/SERIES/MODE/n:N/workers:W, as harness/lib/names.c writes it: the one place here that knows.
NAME = re.compile(r"^(?P<kernel>[a-z0-9-]+)/(?P<variant>[a-z0-9-]+)/(?P<mode>[a-z]+)/n:(?P<n>\d+)/workers:(?P<workers>\d+)$")


def point_name(kernel, series, mode, n, workers):
    return f"{kernel}/{series}/{mode}/n:{n}/workers:{workers}"


def write_whole(path, write, binary=False):
    """Calls write(file) on PATH.part, then renames it over PATH: the file appears whole or not at all."""
    try:
        with open(path + ".part", "wb" if binary else "w") as f:
            write(f)
        os.replace(path + ".part", path)
    finally:
        if os.path.exists(path + ".part"):
            os.remove(path + ".part")


@dataclass
class Point:
    """One benchmark, its median repetition and the spread of its repetitions."""

    name: str
    kernel: str
    variant: str
    mode: str
    n: int
    workers: int
    seconds: float = float("nan")  # median repetition
    gbps: float = float("nan")
    speedup: float = float("nan")
    ns_per_elem_tick: float = float("nan")
    overhead_us: float = float("nan")
    merge_us: float = float("nan")  # an emitting kernel's merge, once per run
    cv: float = float("nan")  # of the repetitions' times
    reps: list = field(default_factory=list)  # the per-repetition values of the main figure
    corun: list = field(default_factory=list)  # each repetition's co-run ratio, before or after (nan: none)
    label: str = ""
    error: str = ""


@dataclass
class Series:
    """A line in the plots and a row in the tables: a variant in one mode, or on one barrier."""

    name: str  # as in the points' names: VARIANT, or VARIANT-BARRIER on another barrier than its default
    variant: dict
    mode: str = "batched"
    barrier: str = ""
    dispatch: bool = False  # a per-tick dispatch series: labelled by what one dispatch is

    @property
    def label(self):
        if self.dispatch:
            return f"{self.variant['label']}: {self.variant['pertick']}" + (f" ({self.barrier})" if self.barrier else "")
        if self.variant.get("reference"):
            return self.variant["label"]
        return f"{self.variant['label']}, {'per tick' if self.mode == 'pertick' else self.mode}"

    @property
    def style(self):
        v = self.variant
        dashed = self.mode == "pertick" or bool(self.barrier and self.barrier != (v.get("barriers") or [""])[0])
        style = dict(color=v.get("color"), marker=v.get("marker", "o"), label=self.label,
                     linestyle="none" if v.get("reference") else "--" if dashed else "-")
        if dashed:
            style["mfc"] = "none"
        return style


def _load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def _table(value):
    """A table from the context (a JSON string) or from verdicts.json (already a list)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


class Results:
    """The documents of one results folder."""

    def __init__(self, folder):
        self.folder = folder
        self.bench = _load(os.path.join(folder, "bench.json"))
        if self.bench is None:
            raise SystemExit(f"report: {folder} has no bench.json (run ninja bench)")
        self.probe = _load(os.path.join(folder, "probe.json"))
        self.plan = _load(os.path.join(folder, "plan.json")) or (self.probe or {}).get("plan")
        self.verdicts = _load(os.path.join(folder, "verdicts.json"))
        self.profile = _load(os.path.join(folder, "profile.json"))
        self.context = self.bench.get("context", {})
        self.points = self._points()
        self._leave_out_shared()
        self.variants = self._variants()
        self.kernel_table = {k["name"]: k for k in self._fact("kernels") or []}
        self.missing = self._missing()

    def _fact(self, key):
        return _table(self.context.get(key)) or _table((self.verdicts or {}).get(key))

    def _variants(self):
        """The variant table, in its order; a folder without one gets a plain row per variant its
        points name (no reference, no labels), and `missing` says so."""
        table = self._fact("variants")
        if table:
            return table
        names = list(dict.fromkeys(p.variant.split("-")[0] for p in self.points.values()))
        return [dict(name=n, label=n, modes=["batched", "pertick"], barriers=[], pertick="per tick") for n in names]

    def _points(self):
        points = {}
        for b in self.bench.get("benchmarks", []):
            m = NAME.match(b.get("run_name", ""))
            if not m:
                continue
            key = b["run_name"]
            p = points.get(key) or Point(key, m["kernel"], m["variant"], m["mode"], int(m["n"]), int(m["workers"]))
            points[key] = p
            if b.get("error_occurred"):
                p.error = b.get("error_message", "failed")
                continue
            self._take(p, b)
        return points

    def _leave_out_shared(self):
        """Where explain left the repetitions run on a shared core out of a point's median, its
        figures are explain's, and its repetitions the others."""
        threshold = ((self.verdicts or {}).get("trust", {}).get("shared_core") or {}).get("threshold")
        for v in (self.verdicts or {}).get("points", []):
            p = self.points.get(v["point"])
            if not (p and v.get("shared_core_left_out") and threshold and v.get("gbps") and p.gbps > 0):
                continue
            slower = p.gbps / v["gbps"]
            p.seconds *= slower
            p.ns_per_elem_tick *= slower
            p.gbps = v["gbps"]
            p.speedup = v.get("speedup", p.speedup)
            p.reps = [x for x, c in zip(p.reps, p.corun) if not c >= threshold]

    @staticmethod
    def _take(p, b):
        agg = b.get("aggregate_name")
        if b.get("run_type") == "iteration":
            p.reps.append(b.get("gbps", b.get("overhead_us", b.get("real_time"))))
            p.corun.append(max(b.get("corun", float("nan")), b.get("corun_before", float("nan")),
                               key=lambda x: -1 if x != x else x))
            p.label = b.get("label", p.label)
        if agg == "median" or (b.get("run_type") == "iteration" and b.get("repetitions", 1) == 1):
            p.seconds = b["real_time"] * 1e-6
            for key in ("gbps", "speedup", "ns_per_elem_tick", "overhead_us", "merge_us"):
                setattr(p, key, b.get(key, getattr(p, key)))
        elif agg == "cv":
            p.cv = b["real_time"]

    def _missing(self):
        missing = []
        ctx = self.bench.get("context", {})
        if ctx.get("partial") is True:
            missing.append(f"**a partial sweep** ({ctx.get('partial_reason', 'reason not given')}): every count and "
                           "fit below is over what was measured; `ninja bench` (or `ceilings-bench --resume` on this "
                           "folder) measures the rest")
        left = (ctx.get("left_out") or {}).get("points") or []
        if left:
            missing.append(f"{len(left)} points left out by the budget ({ctx.get('budget_s', 0):.0f} s; first "
                           f"{', '.join(left[:3])}): all of them would take about "
                           f"{ctx['left_out'].get('budget_s_for_all', 0) / 60:.0f} min "
                           "(`meson configure build -Dbudget=SECONDS`, 0 for none)")
        if self.probe is None:
            missing.append("probe.json: no measured ceilings (run `ceilings probe`), so no ceiling "
                           "curves, no roofline ceilings and no bandwidth or compute verdicts")
        if self.plan is None:
            missing.append("plan.json: cache sizes and levels unknown")
        if self.verdicts is None:
            missing.append("verdicts.json: no verdicts or knees (run `ceilings explain`)")
        if not self._fact("variants"):
            missing.append("the variant table: the sweep's context has none and no verdicts.json holds one "
                           "(run `ceilings explain`): variants are shown by name, with no reference")
        if not self.kernel_table:
            missing.append("the kernel table: bytes and flops per element unknown (run `ceilings explain`)")
        counters = (self.profile or {}).get("counters", {})
        if self.profile is None:
            missing.append("profile.json: no hardware counters (run `ninja profile`); the roofline "
                           "places the kernels at their model intensity only")
        elif not counters.get("available"):
            missing.append(f"hardware counters: unavailable here ({counters.get('reason', 'no reason given')}); "
                           "the roofline places the kernels at their model intensity only")
        return missing

    # --- the tables --------------------------------------------------------------------

    def reference(self):
        """The reference variant's row, or None."""
        return next((v for v in self.variants if v.get("reference")), None)

    def teams(self, launched=True):
        """The variants other than the reference (with launched=False, those in this machine's processes only)."""
        return [v for v in self.variants if not v.get("reference") and (launched or not v.get("launched"))]

    def series(self, reference=True):
        """Every variant in every mode it measures: the reference first (batched), then the teams."""
        out = [Series(v["name"], v) for v in self.variants if v.get("reference") and reference]
        return out + [Series(v["name"], v, m) for v in self.teams() for m in v.get("modes", [])]

    def dispatch_series(self):
        """Each team that dispatches per tick, on each of its barriers (the default first)."""
        out = []
        for v in self.teams():
            if "pertick" not in v.get("modes", []):
                continue
            barriers = v.get("barriers") or [""]
            out += [Series(v["name"] if i == 0 else f"{v['name']}-{b}", v, "pertick", b, True)
                    for i, b in enumerate(barriers)]
        return out

    def kernel(self, name):
        """The kernel table's row: formula, bytes and footprint per element, flops, baseline."""
        return self.kernel_table.get(name) or dict(name=name, formula=name, baseline=False)

    def footprint(self, n):
        """Bytes resident at n elements: the plan's figure, else the kernel table's largest; None if neither."""
        per = (self.plan or {}).get("footprint_bytes_per_elem") or max(
            (k.get("footprint_bytes_per_elem", 0) for k in self.kernel_table.values()), default=0)
        return n * per if per else None

    # --- queries ---------------------------------------------------------------------

    def select(self, **want):
        """Points whose fields equal every given value, in worker order."""
        out = [p for p in self.points.values() if all(getattr(p, k) == v for k, v in want.items())]
        return sorted(out, key=lambda p: (p.workers, p.variant, p.mode))

    def point(self, kernel, variant, mode, n, workers):
        """One point, or None if it was not measured or failed."""
        p = self.points.get(point_name(kernel, variant, mode, n, workers))
        return p if p and not p.error else None

    def sizes(self):
        """(n, target, level, bytes) of every sweep size measured, ascending."""
        plan = {s["n"]: s for s in (self.plan or {}).get("sizes", [])}
        ns = sorted({p.n for p in self.points.values() if p.mode in ("batched", "pertick")})
        return [(n, plan.get(n, {}).get("target"), plan.get(n, {}).get("level") or self._level_explained(n),
                 self.footprint(n) or float("nan")) for n in ns]

    def _level_explained(self, n):
        """The level explain gave a size the plan does not list (the book's N) at one worker, or "?"."""
        for v in (self.verdicts or {}).get("points", []):
            if v.get("n") == n and v.get("workers") == 1 and v.get("level"):
                return v["level"]
        return "?"

    def target_n(self, target):
        return next((n for n, t, _, _ in self.sizes() if t == target), None)

    def worker_counts(self):
        return sorted({p.workers for p in self.points.values() if p.mode in ("batched", "pertick")})

    def kernels(self, baselines=False):
        ks = sorted({p.kernel for p in self.points.values()})
        return [k for k in ks if baselines or not self.kernel(k).get("baseline")]

    def _probe(self, section, **want):
        for e in (self.probe or {}).get(section, []):
            if all(e.get(k) == v for k, v in want.items()):
                return e
        return None

    def ceiling(self, kind, n, workers):
        """The probe's GB/s for `kind` (daxpy, copy, load) at n and workers, or None."""
        e = self._probe("bandwidth", kind=kind, n=n, workers=workers)
        return e["gbps"] if e else None

    def compute(self, workers):
        """The probe's (GFlop/s, scaling over one worker) at `workers`, or None."""
        e = self._probe("compute", workers=workers)
        return (e["gflops"], e["scaling"]) if e else None

    @staticmethod
    def _named(entries, name):
        return next((e for e in entries if e["point"] == name), None)

    def verdict(self, name):
        return self._named((self.verdicts or {}).get("points", []), name)

    def knees(self):
        return (self.verdicts or {}).get("knees", [])

    def counted(self, name):
        """The counter profile of a point, when counters were read."""
        return self._named((self.profile or {}).get("profiles", []), name)

    def machine(self):
        c = self.context
        return {
            "host": c.get("host_name", "?"),
            "date": c.get("date", "?"),
            "cpu": c.get("cpu_model", "?"),
            "cores": c.get("physical_cores", "?"),
            "cpus": c.get("logical_cpus", c.get("num_cpus", "?")),
        }

    def title(self):
        m = self.machine()
        return f"{m['host']}: {m['cpu']}, {m['cores']} cores / {m['cpus']} CPUs, {m['date'][:10]}"
