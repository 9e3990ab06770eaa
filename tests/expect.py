"""The Python tests' expectation helper: count failures, say what failed, keep going; and
explain_copy, `ceilings explain` on a copy of a recorded folder (the recording stays unedited)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

failures = 0


def expect(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what, file=sys.stderr)


def done():
    """Ends the test: exit status 0 when every expectation held."""
    if failures:
        print(f"{failures} expectation(s) failed", file=sys.stderr)
    sys.exit(1 if failures else 0)


def explain_copy(ceilings, recorded):
    """`ceilings explain --json` on a copy of the folder `recorded`; its document, or {} (failed)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "r")
        shutil.copytree(recorded, folder)
        r = subprocess.run([ceilings, "explain", folder, "--json"], capture_output=True, text=True, timeout=120)
        expect(r.returncode == 0, f"explain {recorded}: exit {r.returncode}: {r.stderr}")
        return json.loads(r.stdout) if r.returncode == 0 else {}
