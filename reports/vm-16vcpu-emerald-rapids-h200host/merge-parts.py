#!/usr/bin/python3
"""How this folder's bench.json was made: the three parts the device calls wrote, one results
folder each, joined into one Google Benchmark JSON. Usage: merge-parts.py OUT A B C

Part a's context is kept (its date is when part a ended). The runs of parts b and c keep their
own values; only their times from their sweep's start (at_s, on every run and every rescale
sample) are moved onto part a's clock by the time between the parts' starts, read from the
device script's log: part a's sweep started at 08:46:52.5 UTC (launched 08:46:46, 6.2 s of
sizing), b's at 08:51:09.6 (08:51:05 and 4.6 s), c's at 08:52:56.6 (08:52:51 and 5.6 s), each
to within a second. explain uses at_s only to take the rescale samples nearest a point."""
import json
import sys

OFFSET = {"b": 257.1, "c": 364.1}  # seconds after part a's sweep started


def shifted(runs, offset):
    for r in runs:
        if isinstance(r.get("at_s"), (int, float)):
            r["at_s"] += offset
    return runs


def main(out, a, b, c):
    doc = json.load(open(a))
    rescale = json.loads(doc["context"].get("rescale", "[]"))
    for name, path in (("b", b), ("c", c)):
        part = json.load(open(path))
        doc["benchmarks"] += shifted(part["benchmarks"], OFFSET[name])
        rescale += shifted(json.loads(part["context"].get("rescale", "[]")), OFFSET[name])
    doc["context"]["rescale"] = json.dumps(rescale, separators=(",", ":"))
    names = [r["name"] for r in doc["benchmarks"] if r.get("run_type") == "iteration"]
    with open(out, "w") as f:
        json.dump(doc, f, indent=2)
    print(f"{out}: {len(names)} runs, {len(set(names))} points, {len(rescale)} rescale samples")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit("usage: merge-parts.py OUT A/bench.json B/bench.json C/bench.json")
    main(*sys.argv[1:])
