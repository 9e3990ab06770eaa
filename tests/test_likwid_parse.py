#!/usr/bin/env python3
"""ceilings parse-likwid on a real likwid-perfctr output (text), on the same tables in the CSV
layout of -O (derived here, see csv_of), and on broken copies of it: each must be an error
naming the line. Usage: test_likwid_parse.py CEILINGS FIXTURE"""
import json
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expect import done, expect  # noqa: E402

ceilings, fixture = sys.argv[1], sys.argv[2]



def parse(path):
    r = subprocess.run([ceilings, "parse-likwid", path, "--json"], capture_output=True, text=True, timeout=30)
    return r.returncode, (json.loads(r.stdout) if r.returncode == 0 else None), r.stderr


lines = open(fixture).read().split("\n")
rc, doc, err = parse(fixture)
expect(rc == 0, f"the fixture does not parse: {err}")
doc = doc or {"regions": {}, "cpu": {}}
expect(doc.get("format") == "text", "format")
expect(doc["cpu"].get("name") == "Intel(R) Xeon(R) Gold 6132 CPU @ 2.60GHz", f"cpu {doc['cpu']}")
expect(doc["cpu"].get("clock") == "2.59 GHz", f"clock {doc['cpu']}")
expect(sorted(doc["regions"]) == ["Setup", "Solve"], f"regions {sorted(doc['regions'])}")
setup = doc["regions"].get("Setup", {}).get("MEM_DP", {})
solve = doc["regions"].get("Solve", {}).get("MEM_DP", {})
expect(setup.get("cpus") == ["Core 0", "Core 14"], f"cpus {setup.get('cpus')}")
expect(setup.get("group_index") == 1, "group index")
expect(setup["info"]["RDTSC Runtime [s]"] == {"Core 0": 2.057629, "Core 14": 2.057758}, "Setup runtime")
expect(setup["info"]["call count"] == {"Core 0": 2, "Core 14": 2}, "Setup call count")
expect(solve["info"]["call count"]["Core 0"] == 1, "Solve call count")
expect(len(setup["events"]) == 21 and len(solve["events"]) == 21,
       f"events {len(setup['events'])}, {len(solve['events'])}")
cas = [e for e in setup["events"] if e["event"] == "CAS_COUNT_WR"]
expect([e["counter"] for e in cas] == [f"MBOX{i}C1" for i in range(6)], "the six CAS_COUNT_WR counters")
expect(cas and cas[0]["stat"] == {"sum": 3282731, "min": 1013794, "max": 2268937, "avg": 1641366},
       f"1.641366e+06 notation: {cas[0].get('stat') if cas else None}")
expect(setup["events"][-2]["stat"]["avg"] == 792219.5, "907779.5000-style values")
expect(solve["events"][0]["stat"]["sum"] == 2168940000000, "13-digit counts")
bw = setup["metrics"].get("Memory bandwidth [MBytes/s]", {})
expect(bw.get("values") == {"Core 0": 631.0914, "Core 14": 318.0544}, f"bandwidth {bw}")
expect(bw.get("stat", {}).get("sum") == 949.1458, "bandwidth STAT sum")
expect(len(setup["metrics"]) == 19 and len(solve["metrics"]) == 19, "19 metrics per region")
# every STAT row agrees with its per-CPU row: the parse kept rows and columns together
for region, group in (("Setup", setup), ("Solve", solve)):
    for what, rows in (("event", {e["event"] + "@" + e["counter"]: e for e in group["events"]}), ("metric", group["metrics"])):
        for name, row in rows.items():
            v = list(row["values"].values())
            s = row.get("stat")
            expect(s is not None, f"{region} {what} {name} has no STAT")
            if s and all(isinstance(x, (int, float)) for x in v):
                for key, want in (("sum", sum(v)), ("min", min(v)), ("max", max(v)), ("avg", sum(v) / len(v))):
                    expect(math.isclose(s[key], want, rel_tol=1e-3, abs_tol=1e-3),
                           f"{region} {what} {name}: {key} {s[key]} but the CPUs give {want}")


def text_tables(lines):
    """The fixture's tables, read independently of the C parser: (header line, [(region, group,
    index)], [rows of cells]) in order. Only what csv_of needs."""
    out, current, table = [], None, None
    for line in lines:
        if line.startswith("Region "):
            region, rest = line[7:].split(", Group ")
            index, group = rest.split(": ")
            current = (region, group, int(index))
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if table is None:
                table = [current, cells, []]
            else:
                table[2].append(cells)
        if line.startswith("+") and table is not None and table[2]:
            out.append(table)
            table = None
    return out


def csv_of(lines):
    """The same tables in likwid 5.2.2's -O layout (likwid.lua, printOutput/printcsv): per group a
    STRUCT,Info block, then TABLE blocks Raw (Region Info rows, then Event rows), Raw STAT, Metric,
    Metric STAT, each row padded with commas to the widest table's column count."""
    tables = text_tables(lines)
    cpu = {l.split(":")[0]: l.split("\t", 1)[1] for l in lines if l.startswith("CPU ")}
    out, i = [], 0
    while i < len(tables):
        group = tables[i:i + 5]  # info, events, event STAT, metrics, metric STAT
        (region, name, index) = group[0][0]
        width = max(len(t[1]) for t in group)
        pad = lambda cells: ",".join(cells) + "," * (width - len(cells))
        out += [pad(["STRUCT", "Info", "3"]), pad(["CPU name:", cpu["CPU name"]]),
                pad(["CPU type:", cpu["CPU type"]]), pad(["CPU clock:", cpu["CPU clock"]])]
        for kind, parts in (("Raw", group[0:2]), ("Raw STAT", group[2:3]), ("Metric", group[3:4]),
                            ("Metric STAT", group[4:5])):
            out.append(pad(["TABLE", f"Region {region}", f"Group {index} {kind}", name, str(len(parts[-1][2]))]))
            for t in parts:
                out += [pad(t[1])] + [pad(r) for r in t[2]]
        i += 5
    return "\n".join(out) + "\n"


with tempfile.TemporaryDirectory() as tmp:
    csv_path = os.path.join(tmp, "fixture.csv")
    open(csv_path, "w").write(csv_of(lines))
    rc, csv_doc, err = parse(csv_path)
    expect(rc == 0, f"the CSV layout does not parse: {err}")
    if csv_doc:
        expect(csv_doc["format"] == "csv", "csv format")
        csv_doc["format"] = "text"
        expect(csv_doc == doc, "text and CSV of the same tables parse differently")

    def broken(name, edit, line_no, words):
        copy = list(lines)
        edit(copy)
        path = os.path.join(tmp, name)
        open(path, "w").write("\n".join(copy))
        r = subprocess.run([ceilings, "parse-likwid", path, "--json"], capture_output=True, text=True, timeout=30)
        expect(r.returncode == 1, f"{name}: exit {r.returncode}")
        expect(r.stdout == "", f"{name}: printed {r.stdout[:100]}")
        expect(f"{name}:{line_no}:" in r.stderr and all(w in r.stderr for w in words),
               f"{name}: message {r.stderr.strip()!r} should name line {line_no} and say {words}")

    def at(prefix, nth=0):
        return [i for i, l in enumerate(lines) if l.startswith(prefix)][nth]

    row = at("|           CPU_CLK_UNHALTED_CORE")
    broken("missing-cell.txt", lambda c: c.__setitem__(row, c[row].rsplit("|", 2)[0] + "|"), row + 1, ["cells"])
    broken("not-a-number.txt", lambda c: c.__setitem__(row, c[row].replace("2799556000", "27995x6000")), row + 1,
           ["27995x6000", "not a number"])
    stat_row = at("|           CPU_CLK_UNHALTED_CORE STAT")
    broken("stat-without-row.txt", lambda c: c.__delitem__(row), stat_row, ["no per-CPU row"])
    cut = at("|       Operational intensity STAT")
    broken("unclosed.txt", lambda c: c.__delitem__(slice(cut + 1, None)), cut + 1, ["not closed"])
    first_region = at("Region Setup")
    broken("no-group.txt", lambda c: c.__setitem__(first_region, "Something else"), first_region + 3,
           ["before any 'Group'"])
    broken("empty.txt", lambda c: c.__delitem__(slice(0, None)), 1, ["no likwid-perfctr group"])
    nan_path = os.path.join(tmp, "nan.txt")
    open(nan_path, "w").write("\n".join(l.replace("|    1.0793 |", "|       nan |") for l in lines))
    rc, nan_doc, err = parse(nan_path)
    expect(rc == 0 and nan_doc["regions"]["Setup"]["MEM_DP"]["metrics"]["Runtime unhalted [s]"]["values"]["Core 0"] is None,
           f"nan should parse as null: {err}")
    bad_csv = os.path.join(tmp, "bad-count.csv")
    open(bad_csv, "w").write(csv_of(lines).replace("Group 1 Raw,MEM_DP,21", "Group 1 Raw,MEM_DP,20", 1))
    r = subprocess.run([ceilings, "parse-likwid", bad_csv], capture_output=True, text=True, timeout=30)
    expect(r.returncode == 1 and "announces 20 rows, 21 follow" in r.stderr, f"CSV count: {r.stderr}")
    r = subprocess.run([ceilings, "parse-likwid", os.path.join(tmp, "nonexistent")], capture_output=True, text=True)
    expect(r.returncode == 2 and "cannot open" in r.stderr, f"missing file: {r.returncode} {r.stderr}")

done()
