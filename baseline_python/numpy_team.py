#!/usr/bin/env python3
"""The book's method, run by ceilings: numpy on one multiprocessing.shared_memory block.

`ceilings run KERNEL numpy|numpy-threads ...` checks the command line and runs this with it
normalised; it prints what `ceilings run` prints for every variant (--json: the same keys).

- numpy: the book's shape. A pool of processes (concurrent.futures.ProcessPoolExecutor, whose
  BrokenProcessPool ends a run when a worker dies, where multiprocessing.Pool would wait for
  ever) whose initializer attaches each worker to the one shared block and keeps numpy views.
  Batched: one task per worker runs all ticks on its slice; per tick: one map per tick.
- numpy-threads: the same slices on threading.Thread (the book's exercise 2): one thread per
  worker for all ticks, or a new set of threads every tick.
- workers 1 (either): the loop alone, no pool, as the book's serial reference.

Slices are ceil_partition's (grain 16), the start values and the loops ceilings' own, in
float32. Every run is checked bit for bit against this file's serial loop over the same ticks:
numpy rounds vel * dt before the add where the C loop fuses it into one FMA, so numpy is not
compared with C. The shared block is unlinked on every path (a dead worker, SIGINT, SIGTERM).

The temporaries numpy makes every tick come from glibc's malloc, which by default gives them back
to the system and faults them in again: above its mmap threshold (32 MiB at most) every
temporary is a fresh mapping, and below it the heap is trimmed whenever its free top passes twice
the threshold, which glibc moves as chunks are freed. Which slice that hits depends on its exact
size and on what its process freed before: on the 2-vCPU EPYC, the second of two pool processes at
131000 elements took 52,900 page faults in 551 ticks and 134 ms of CPU against its twin's 49 ms,
in 5 runs of 8. So by default the script keeps the heap (malloc_steady): no trimming and no mmap
for a chunk, the temporaries reused from tick to tick, as a long-running program has them.
CEILINGS_NUMPY_MALLOC=glibc keeps glibc's defaults; "faults_per_tick" shows what they cost.
"""
import argparse
import concurrent.futures
import json
import os
import resource
import signal
import sys
import threading
import time

import numpy as np
from multiprocessing import shared_memory

GRAIN = 16
KERNELS = ("motion", "trig")
M_TRIM_THRESHOLD, M_MMAP_MAX, M_ARENA_MAX = -1, -4, -8  # mallopt's parameters (malloc.h)


def malloc_steady():
    """glibc keeps what it has: no heap trimming below 1 GiB of free top, no mmap for a chunk (every
    large temporary from the heap, reused), one arena for every thread (a thread's own arena lives
    in 64 MB heaps that come and go: 539 page faults a tick at 16.8M elements on two threads).
    Returns how the temporaries are allocated, for the JSON."""
    if os.environ.get("CEILINGS_NUMPY_MALLOC", "steady") == "glibc":
        return "glibc defaults"
    import ctypes
    libc = ctypes.CDLL(None)
    if not hasattr(libc, "mallopt") or not (libc.mallopt(M_TRIM_THRESHOLD, 1 << 30) and libc.mallopt(M_MMAP_MAX, 0) and
                                            libc.mallopt(M_ARENA_MAX, 1)):
        return "glibc defaults (mallopt refused)"
    return "steady heap (M_TRIM_THRESHOLD 1 GiB, M_MMAP_MAX 0, M_ARENA_MAX 1)"


def faults():
    """This thread's minor page faults so far (the whole process where the OS has no per-thread count)."""
    return resource.getrusage(getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF)).ru_minflt


def partition(n, workers, w):
    """ceil_partition: slices of whole grains, differing by at most one grain, the bigger last."""
    grains = n // GRAIN + (n % GRAIN != 0)
    base, spare = divmod(grains, workers)
    first_big = workers - spare
    start = w * base + (w - first_big if w > first_big else 0)
    count = base + (w >= first_big)
    return min(start * GRAIN, n), min((start + count) * GRAIN, n)


def views(buf, n):
    """The kernel's two float32 arrays in one buffer, each on its own pages."""
    page = 4096
    stride = (n * 4 + page - 1) // page * page
    return [np.ndarray((n,), dtype=np.float32, buffer=buf, offset=i * stride) for i in range(2)], 2 * stride


def init(kernel, arrays, b, e):
    i = np.arange(b, e, dtype=np.int64)
    if kernel == "motion":
        arrays[0][b:e] = (i % 1024).astype(np.float32) * np.float32(0.5)
        arrays[1][b:e] = ((i * 7) % 13).astype(np.float32) - np.float32(6.0)
    else:
        arrays[0][b:e] = 0.0
        arrays[1][b:e] = (i % 10007).astype(np.float32) * np.float32(0.01) - np.float32(50.0)


def tick(kernel, arrays, b, e, dt):
    if kernel == "motion":
        arrays[0][b:e] += arrays[1][b:e] * dt
    else:
        x = arrays[1][b:e]
        arrays[0][b:e] += np.sin(x) ** 2 + np.cos(x) ** 2


# --- the pool's side: attached once, by the initializer -----------------------------------
_worker = {}


def _attach(name, n, kernel, dt, part):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles ^C and ends the pool
    shm = shared_memory.SharedMemory(name=name)
    _worker.update(shm=shm, arrays=views(shm.buf, n)[0], kernel=kernel, dt=dt)
    # a tick on a scratch slice as large as the largest: this process's heap grows to what its
    # temporaries take, now, not in the first timed tick that happens to give it a slice
    tick(kernel, [np.zeros(part, dtype=np.float32) for _ in range(2)], 0, part, dt)


def _task(job):
    b, e, ticks, what = job
    if what == "init":
        init(_worker["kernel"], _worker["arrays"], b, e)
        return os.getpid(), 0
    f0 = faults()
    for _ in range(ticks):
        tick(_worker["kernel"], _worker["arrays"], b, e, _worker["dt"])
    return os.getpid(), faults() - f0


class Team:
    """The workers of one run, on the shared block."""

    def __init__(self, a):
        self.a, self.slices = a, [partition(a.n, a.workers, w) for w in range(a.workers)]
        self.shm, self.pool = None, None
        page = 4096
        stride = (a.n * 4 + page - 1) // page * page
        self.shm = shared_memory.SharedMemory(create=True, size=2 * stride)
        try:
            self.arrays = views(self.shm.buf, a.n)[0]
            if a.workers > 1 and a.variant == "numpy":
                self.pool = concurrent.futures.ProcessPoolExecutor(
                    a.workers, initializer=_attach, initargs=(self.shm.name, a.n, a.kernel, a.dt, max(e - b for b, e in self.slices)))
            self.pids = [pid for pid, _ in self.run_jobs("init", 0)]  # a task per slice writes its start values
        except BaseException:
            self.close(abort=True)
            raise

    def run_jobs(self, what, ticks):
        """Each slice's job; returns (pid, page faults in its ticks) per slice."""
        jobs = [(b, e, ticks, what) for b, e in self.slices]
        if self.a.workers == 1:
            return [self.local(jobs[0])]
        if self.pool:
            return list(self.pool.map(_task, jobs))
        done = [(os.getpid(), 0)] * len(jobs)

        def run_one(w):
            done[w] = self.local(jobs[w])

        threads = [threading.Thread(target=run_one, args=(w,), daemon=True) for w in range(len(jobs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return done

    def local(self, job):
        b, e, ticks, what = job
        if what == "init":
            init(self.a.kernel, self.arrays, b, e)
            return os.getpid(), 0
        f0 = faults()
        for _ in range(ticks):
            tick(self.a.kernel, self.arrays, b, e, self.a.dt)
        return os.getpid(), faults() - f0

    def run(self, ticks, mode):
        """The ticks; returns the page faults the workers took in them."""
        if mode == "batched":
            return sum(f for _, f in self.run_jobs("ticks", ticks))
        return sum(sum(f for _, f in self.run_jobs("ticks", 1)) for _ in range(ticks))

    def close(self, abort=False):
        """Ends the pool and removes the shared block. abort: after an error or a signal, the
        workers are killed first (a task may run for long), and threads still inside their ticks
        keep the mapping: the block's name goes, the process exits without waiting for them."""
        if self.pool:
            if abort:
                for p in list(getattr(self.pool, "_processes", {}).values()):
                    p.kill()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.shm:
            self.shm.unlink()
            if not abort:
                self.arrays = None
                self.shm.close()
                self.shm = None  # else kept mapped: dropping it would unmap it under running threads


def reference(a, ticks):
    arrays = [np.empty(a.n, dtype=np.float32) for _ in range(2)]
    init(a.kernel, arrays, 0, a.n)
    for _ in range(ticks):
        tick(a.kernel, arrays, 0, a.n, a.dt)
    return arrays


def first_difference(a, got, want):
    names = ("pos", "vel") if a.kernel == "motion" else ("out", "x")
    for name, g, w in zip(names, got, want):
        gi, wi = g.view(np.uint32), w.view(np.uint32)
        if not np.array_equal(gi, wi):
            i = int(np.flatnonzero(gi != wi)[0])
            return (f"{name}[{i}] = {g[i]:.9g} (0x{gi[i]:08x}) but the numpy serial loop has "
                    f"{w[i]:.9g} (0x{wi[i]:08x})")
    return None


def measure(a):
    t0 = time.perf_counter()
    team = Team(a)
    try:
        return measured(a, team, time.perf_counter() - t0)
    except BaseException:
        team.close(abort=True)
        raise


WARMUP_S = 0.02


def measured(a, team, startup):
    """The warm-up, the timed repetitions and the check, on a started team; closes it. The warm-up
    is ticks until WARMUP_S has passed (one at least, about a repetition's at most): after one tick, two
    pool processes at 131000 elements ran their first repetition 15-20% slower than after 100
    (0.77-0.85 against 0.67-0.73 ns per element-tick, trig on the 2-vCPU EPYC), bound to their
    CPUs or not; about 10 ms of the start-up's."""
    t0, warm, more = time.perf_counter(), 0, 1
    while more > 0:
        team.run(more, a.mode)  # runs of 1, 2, 4, ... ticks: the workers busy, not the dispatch
        warm += more
        more = min(2 * more, a.ticks - warm) if time.perf_counter() - t0 < WARMUP_S else 0
    a.warmup_ticks = warm
    times, faulted = [], 0
    for _ in range(a.reps):
        t0 = time.perf_counter()
        faulted += team.run(a.ticks, a.mode)
        times.append(time.perf_counter() - t0)
    why = first_difference(a, team.arrays, reference(a, warm + a.reps * a.ticks))
    pids = len(set(team.pids))
    team.close()
    return dict(times=sorted(times), startup=startup, why=why, processes=pids,
                faults_per_tick=faulted / (a.reps * a.ticks))


def report(a, m):
    best, median = m["times"][0], float(np.median(m["times"]))
    elem_ticks = a.n * a.ticks
    o = dict(kernel=a.kernel, variant=a.variant, mode=a.mode, n=a.n, workers=a.workers, workers_running=a.workers,
             ticks=a.ticks, reps=a.reps, valid=m["why"] is None)
    if m["why"] is None:
        o.update(seconds=best, seconds_median=median, gbps=a.bytes_per_elem * elem_ticks / best * 1e-9,
                 ns_per_elem_tick=best / elem_ticks * 1e9)
    else:
        o["error"] = m["why"]
    o.update(cpus=[], startup_seconds=m["startup"], warmup_ticks=a.warmup_ticks, faults_per_tick=m["faults_per_tick"], malloc=a.malloc,
             bytes_per_elem=a.bytes_per_elem,
             footprint_bytes=a.footprint_per_elem * a.n, reference="numpy serial (this file's loop, workers 1)",
             python=sys.version.split()[0], numpy=np.__version__)
    if a.json:
        print(json.dumps(o, indent=2))
    else:
        print(f"{a.kernel}/{a.variant}/{a.mode}  n={a.n}  workers={a.workers}  ticks={a.ticks}  reps={a.reps}")
        if m["why"]:
            print(f"  valid        NO: {m['why']}")
        else:
            print(f"  seconds      {best:.6g} best, {median:.6g} median (the timed ticks only)")
            print(f"  GB/s         {o['gbps']:.2f} ({a.bytes_per_elem:g} bytes per element-tick)")
            print(f"  ns/elem-tick {o['ns_per_elem_tick']:.4f}")
            print(f"  start-up     {m['startup'] * 1e3:.3f} ms (shared block, pool, attach, first touch)")
            print(f"  temporaries  {a.malloc}: {m['faults_per_tick']:.0f} page faults per tick")
            print(f"  valid        yes: equal to numpy's serial loop bit for bit after {a.warmup_ticks + a.reps * a.ticks} ticks")
    return 0 if m["why"] is None else 1


def main(argv):
    p = argparse.ArgumentParser(prog="ceilings run", description=__doc__.split("\n")[0])
    p.add_argument("kernel", choices=KERNELS)
    p.add_argument("variant", choices=("numpy", "numpy-threads"))
    for opt in ("n", "workers", "ticks", "reps"):
        p.add_argument(f"--{opt}", type=int, required=True)
    p.add_argument("--mode", choices=("batched", "pertick"), required=True)
    p.add_argument("--dt", type=np.float32, required=True)
    p.add_argument("--bytes-per-elem", type=float, required=True)
    p.add_argument("--footprint-per-elem", type=float, required=True)
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv[1:])
    a.malloc = malloc_steady()  # before the pool forks: its processes inherit it

    def stop(signo, frame):
        raise KeyboardInterrupt(signo)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # also where it was started with SIGINT ignored (a background job)
    try:
        return report(a, measure(a))
    except KeyboardInterrupt as e:
        signo = e.args[0] if e.args else signal.SIGINT
        print(f"ceilings run: {a.kernel}/{a.variant}: interrupted by signal {signo} ({signal.strsignal(signo)})",
              file=sys.stderr, flush=True)
        os._exit(1)  # threads still inside their ticks are not waited for
    except concurrent.futures.process.BrokenProcessPool:
        print(f"ceilings run: {a.kernel}/{a.variant}: a pool worker died (killed or crashed); the pool is "
              "broken, the shared block removed", file=sys.stderr)
    except (OSError, MemoryError) as e:
        print(f"ceilings run: {a.kernel}/{a.variant}: {e}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
