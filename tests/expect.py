"""The Python tests' expectation helper: count failures, say what failed, keep going."""
import sys

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
