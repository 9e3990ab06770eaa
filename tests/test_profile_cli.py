#!/usr/bin/env python3
"""ceilings profile as this machine can run it. Where counters cannot be read (no PMU in a VM,
an unknown CPU), it says so in one line, exits 0, and records why with no counter field; where
they can, it records per-point bytes and flops. Usage: test_profile_cli.py CEILINGS"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expect import done, expect  # noqa: E402

ceilings = sys.argv[1]



with tempfile.TemporaryDirectory() as tmp:
    r = subprocess.run([ceilings, "profile", "--results", tmp, "--max-bytes", "40000000"], capture_output=True,
                       text=True, timeout=1800)
    expect(r.returncode == 0, f"exit {r.returncode}: {r.stderr}")
    doc = json.load(open(os.path.join(tmp, "profile.json")))
    counters = doc["counters"]
    if not counters["available"]:
        expect(counters.get("reason"), "no reason given")
        expect(doc["profiles"] == [], "profiles recorded without counters")
        expect(r.stdout.count("\n") == 1 and "unavailable" in r.stdout and counters["reason"] in r.stdout,
               f"the one line: {r.stdout!r}")
        print("counters unavailable here:", counters["reason"])
    else:
        expect(doc["profiles"], "counters available but nothing profiled")
        for p in doc["profiles"]:
            expect(p["bytes_per_elem"] or "flops_per_elem" in p, f"{p['point']} {p['group']}: nothing measured")
    expect(sorted(os.listdir(tmp)) == ["profile.json"], f"left behind: {os.listdir(tmp)}")
    r = subprocess.run([ceilings, "profile", "--results", os.path.join(tmp, "missing")], capture_output=True, text=True)
    expect(r.returncode == 2 and "--results" in r.stderr, f"unwritable results: {r.returncode} {r.stderr}")
done()
