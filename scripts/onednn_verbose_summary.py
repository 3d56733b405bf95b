#!/usr/bin/env python3
"""Sums oneDNN's per-primitive times from an ONEDNN_VERBOSE=1 log, per kind of primitive.

Usage: python3 scripts/onednn_verbose_summary.py LOG RUNS [TOP]

LOG is the output of a run with ONEDNN_VERBOSE=1, e.g.
    ONEDNN_VERBOSE=1 ./ctshift benchmark-engine -q -a models/benchmark/slice-ae \\
        -m models/benchmark/cnn3d-classifier --volume target/benchmark-vs-pytorch/volume.f32 \\
        --slices 134 --size 224 --repeats 3 > log.txt
RUNS is how many times the measured work ran in it (benchmark-engine: 1 warm-up + REPEATS). Per
primitive (kind, implementation, propagation, memory formats, shape) the line gives the time per run
estimated from its fastest call (on a shared machine the fastest call is the one least disturbed by
other jobs) and from its median call, and how often it ran. The self-test's small shapes (batch 2)
are left out. Works with PyTorch's DNNL_VERBOSE=1 logs too (v1 format).
"""
import collections
import sys


def main():
    log, runs = sys.argv[1], int(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    calls = collections.defaultdict(list)
    for line in open(log, errors="replace"):
        if not (line.startswith("onednn_verbose,") or line.startswith("dnnl_verbose,")) or ",exec," not in line:
            continue
        f = line.rstrip().split(",")
        if f[1] == "v1":
            f = f[:1] + f[3:]
        kind, impl, prop, memory, shape, ms = f[3], f[4], f[5], f[6], f[-2], float(f[-1])
        if shape.startswith("mb2_") or shape.startswith("2x"):
            continue
        calls[(kind, impl, prop, memory, shape)].append(ms)
    rows = []
    for key, times in calls.items():
        per_run = len(times) / runs
        rows.append((min(times) * per_run, sorted(times)[len(times) // 2] * per_run, len(times), key))
    rows.sort(reverse=True)
    print(f"per run: {sum(r[0] for r in rows):.1f} ms from fastest calls, {sum(r[1] for r in rows):.1f} ms from medians")
    print(f"{'fastest':>8} {'median':>8} {'calls':>6}  primitive")
    for fastest, median, n, (kind, impl, prop, memory, shape) in rows[:top]:
        src = memory.split(" ")[0]
        print(f"{fastest:8.1f} {median:8.1f} {n:6d}  {kind} {impl} {prop} {src} {shape[:70]}")


if __name__ == "__main__":
    main()
