#!/usr/bin/env python3
"""ceilings parse-likwid on real likwid-perfctr -O output as the terminal got it (likwid's banner
and the program's own lines before the CSV; 17 marker regions; '-' for counters not read), and on
a truncated and a garbled copy, each an error naming the line. Usage: test_likwid_csv.py CEILINGS FILE"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expect import done, expect  # noqa: E402

ceilings, recorded = sys.argv[1], sys.argv[2]


def parse(path):
    r = subprocess.run([ceilings, "parse-likwid", path, "--json"], capture_output=True, text=True, timeout=30)
    return r.returncode, (json.loads(r.stdout) if r.returncode == 0 else None), r.stderr


rc, doc, err = parse(recorded)
expect(rc == 0, f"the recorded -O output does not parse: {err}")
doc = doc or {"regions": {}, "cpu": {}}
expect(doc.get("format") == "csv", f"format {doc.get('format')}")
expect(doc["cpu"].get("name") == "Intel(R) Xeon(R) CPU E5-2697 v3 @ 2.60GHz", f"cpu {doc['cpu']}")
regions = doc["regions"]
expect(len(regions) == 17 and all(f"1D-MATVEC_Kernel-Degree-{d}" in regions for d in range(2, 19)),
       f"regions {sorted(regions)}")
mem = regions.get("1D-MATVEC_Kernel-Degree-2", {}).get("MEM", {})
read = mem.get("metrics", {}).get("Memory read bandwidth [MBytes/s]", {}).get("values", {})
expect(read == {"Core 1": 4444.6352}, f"read bandwidth {read}")
counters = {e["counter"]: e["values"]["Core 1"] for e in mem.get("events", [])}
expect(counters.get("MBOX2C0", 0) is None, f"'-' (not read) should be null, is {counters.get('MBOX2C0')}")
expect(counters.get("MBOX0C0") == 37, f"MBOX0C0 {counters.get('MBOX0C0')}")
expect(len(mem.get("events", [])) == 19, f"{len(mem.get('events', []))} events, the TABLE line says 19")

lines = open(recorded).read().split("\n")
first_metric = next(i for i, l in enumerate(lines) if l.startswith("TABLE,") and "Metric" in l)
with tempfile.TemporaryDirectory() as tmp:
    cases = {
        "truncated": (lines[:first_metric + 4], "announces"),  # the last block stops short of its rows
        "garbled": ([l.replace("4444.6352", "4444.6x52") for l in lines], "not a number"),
    }
    for name, (text, word) in cases.items():
        path = os.path.join(tmp, name + ".csv")
        open(path, "w").write("\n".join(text))
        rc, _, err = parse(path)
        expect(rc == 1 and word in err and ":" in err, f"{name}: exit {rc}, {err.strip()}")
done()
