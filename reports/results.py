"""A results folder read back: the sweep's medians, the probe's ceilings, the plan, the verdicts.

Every figure comes from the folder's JSON files; nothing here measures or imports C. Parts a
folder may lack (probe.json without likwid-bench or when interrupted, profile.json without
counters, verdicts.json before `ceilings explain`) are None, and `missing` says what each
absence costs the report.
"""
import json
import os
import re
from dataclasses import dataclass, field

NAME = re.compile(r"^(?P<kernel>[a-z-]+)/(?P<variant>[a-z-]+)/(?P<mode>[a-z]+)/n:(?P<n>\d+)/workers:(?P<workers>\d+)$")


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
    label: str = ""
    error: str = ""


def _load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


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
        self.missing = self._missing()

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
            agg = b.get("aggregate_name")
            main = b.get("gbps", b.get("overhead_us", b.get("real_time")))
            if b.get("run_type") == "iteration":
                p.reps.append(main)
                p.label = b.get("label", p.label)
            if agg == "median" or (b.get("run_type") == "iteration" and b.get("repetitions", 1) == 1):
                p.seconds = b["real_time"] * 1e-6
                p.gbps = b.get("gbps", p.gbps)
                p.speedup = b.get("speedup", p.speedup)
                p.ns_per_elem_tick = b.get("ns_per_elem_tick", p.ns_per_elem_tick)
                p.overhead_us = b.get("overhead_us", p.overhead_us)
                p.merge_us = b.get("merge_us", p.merge_us)
            elif agg == "cv":
                p.cv = b["real_time"]
        return points

    def _missing(self):
        missing = []
        if self.probe is None:
            missing.append("probe.json: no measured ceilings (run `ceilings probe`), so no ceiling "
                           "curves, no roofline ceilings and no bandwidth or compute verdicts")
        if self.plan is None:
            missing.append("plan.json: cache sizes and levels unknown")
        if self.verdicts is None:
            missing.append("verdicts.json: no verdicts or knees (run `ceilings explain`)")
        counters = (self.profile or {}).get("counters", {})
        if self.profile is None:
            missing.append("profile.json: no hardware counters (run `ninja profile`); the roofline "
                           "places the kernels at their model intensity only")
        elif not counters.get("available"):
            missing.append(f"hardware counters: unavailable here ({counters.get('reason', 'no reason given')}); "
                           "the roofline places the kernels at their model intensity only")
        return missing

    # --- queries ---------------------------------------------------------------------

    def select(self, **want):
        """Points whose fields equal every given value, in worker order."""
        out = [p for p in self.points.values() if all(getattr(p, k) == v for k, v in want.items())]
        return sorted(out, key=lambda p: (p.workers, p.variant, p.mode))

    def sizes(self):
        """(n, target, level, bytes) of every sweep size measured, ascending."""
        plan = {s["n"]: s for s in (self.plan or {}).get("sizes", [])}
        ns = sorted({p.n for p in self.points.values() if p.mode in ("batched", "pertick")})
        fp = (self.plan or {}).get("footprint_bytes_per_elem", 8)
        return [(n, plan.get(n, {}).get("target"), plan.get(n, {}).get("level", "?"), n * fp) for n in ns]

    def worker_counts(self):
        return sorted({p.workers for p in self.points.values() if p.mode in ("batched", "pertick")})

    def kernels(self, baselines=False):
        ks = sorted({p.kernel for p in self.points.values()})
        return [k for k in ks if baselines or k != "trig-scalar"]

    def ceiling(self, kind, n, workers):
        """The probe's GB/s for `kind` (daxpy, copy, load) at n and workers, or None."""
        for b in (self.probe or {}).get("bandwidth", []):
            if b["kind"] == kind and b["n"] == n and b["workers"] == workers:
                return b["gbps"]
        return None

    def compute(self, workers):
        """The probe's (GFlop/s, scaling over one worker) at `workers`, or None."""
        for c in (self.probe or {}).get("compute", []):
            if c["workers"] == workers:
                return c["gflops"], c["scaling"]
        return None

    def verdict(self, name):
        for v in (self.verdicts or {}).get("points", []):
            if v["point"] == name:
                return v
        return None

    def knees(self):
        return (self.verdicts or {}).get("knees", [])

    def counted(self, name):
        """The counter profile of a point, when counters were read."""
        for p in (self.profile or {}).get("profiles", []):
            if p["point"] == name:
                return p
        return None

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
