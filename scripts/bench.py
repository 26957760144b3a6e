"""`make bench`: N agreements (variations of the examples) built by a loop of `mou build` and by `mou batch -j J`
from cold, then a no-op rerun, reruns after one spec changed (the median of five) and one after one clause changed;
wall times and ratios. The peak memory of the whole process tree (LibreOffice included), sampled from /proc every
50 ms, comes from runs of their own (one `mou build`, one batch from cold): the sampling reads every process's
smaps, which took a fifth of the CPU of a batch that keeps both cores busy (16.1 s unsampled against 19.4 s sampled,
one after the other), so no timed run is sampled."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "examples"
EXAMPLES = SHARED if SHARED.is_dir() else ROOT / "examples"
MOU = [sys.executable, "-m", "pipeline.cli"]
CLAUSE = "grant_refund"  # used by the grant examples only: a clause change that touches some agreements, not all


def make_specs(folder: Path, n: int) -> None:
    """n specs: the examples in turn, each with its own title and reference number."""
    examples = sorted(EXAMPLES.glob("*.yaml"))
    folder.mkdir(parents=True)
    for i in range(n):
        source = examples[i % len(examples)]
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        th = data.get("language", "th") == "th"
        data["title"] = f"{data['title']} ({'ชุดที่' if th else 'batch'} {i + 1})"
        data["reference_no"] = f"{'ที่' if th else 'No.'} {i + 1}/2567"
        (folder / f"{i + 1:04d}-{source.stem}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )


def _tree(pid: int) -> list[int]:
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _memory(pids: list[int]) -> tuple[int, int]:
    """(RSS, PSS) in kB summed over pids; PSS counts shared pages once, RSS once per process."""
    rss = pss = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return rss, pss


def sample_peak(pid: int):
    """Sample the memory of pid's process tree every 50 ms: ([peak RSS, peak PSS] in kB, updated as it runs; a function
    that stops the sampling)."""
    peak = [0, 0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            rss, pss = _memory(_tree(pid))
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    def done():
        stop.set()
        sampler.join()

    return peak, done


def run(args: list, label: str, sampled: bool = False) -> dict:
    """Run a command; `sampled`: the memory of its process tree sampled every 50 ms (a run for memory, not time)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    peak, done = sample_peak(proc.pid) if sampled else ([0, 0], lambda: None)
    output, _ = proc.communicate()
    done()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{label} failed (exit {proc.returncode}):\n{output}")
    return {"label": label, "seconds": seconds, "rss_mb": peak[0] / 1024, "pss_mb": peak[1] / 1024, "output": output}


def built_count(output: str) -> str:
    for line in output.splitlines():
        if line.startswith("สร้างใหม่ / built") and "(" not in line:
            return line.split()[-1]
    return "?"


def one_spec_changed(specs: list[Path], batch: list, samples: int) -> dict:
    """The rerun after one spec changed, `samples` times (each a different spec edited, so each run rebuilds one
    agreement): the median run, with every sample kept. One run of two seconds on a shared machine varies by a
    quarter from one minute to the next; the median of five does not."""
    runs = []
    for k in range(samples):
        spec = specs[k % len(specs)]
        data = yaml.safe_load(spec.read_text(encoding="utf-8"))
        data["title"] += " (แก้ไข)"  # an edit every rule still accepts
        spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        r = run(batch, "one spec changed")
        r["built"] = built_count(r["output"])
        runs.append(r)
    runs.sort(key=lambda r: r["seconds"])
    middle = dict(runs[len(runs) // 2])
    middle["per"] = middle["seconds"]
    middle["samples"] = [round(r["seconds"], 2) for r in runs]
    return middle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=int(os.environ.get("N", 200)), help="agreements (default 200)")
    parser.add_argument("-j", type=int, default=int(os.environ.get("JOBS", 2)), help="batch workers (default 2)")
    parser.add_argument(
        "--loop",
        type=int,
        default=int(os.environ.get("LOOP", -1)),
        help="specs built by the mou build loop (default all; 0 skips it)",
    )
    parser.add_argument(
        "--samples",
        type=int,
        default=int(os.environ.get("SAMPLES", 5)),
        help="runs of 'one spec changed', the median reported (default 5)",
    )
    opts = parser.parse_args()
    loop_n = opts.n if opts.loop < 0 else min(opts.loop, opts.n)
    work = Path(tempfile.mkdtemp(prefix="mou-bench-"))
    try:
        specs, library = work / "specs", work / "library"
        make_specs(specs, opts.n)
        shutil.copytree(ROOT / "clauses", library / "clauses")
        shutil.copytree(ROOT / "templates", library / "templates")
        lib = ["--library", str(library)]

        def batch_into(out: str) -> list:
            return [*MOU, "batch", str(specs), "--out", str(work / out), "-j", str(opts.j), *lib]

        batch = batch_into("batch")
        print(f"mou bench: {opts.n} agreements, {os.cpu_count()} CPUs, batch -j {opts.j}", flush=True)
        results = []

        if loop_n:
            print(f"  loop of mou build over {loop_n} specs …", flush=True)
            started = time.perf_counter()
            for spec in sorted(specs.glob("*.yaml"))[:loop_n]:
                run([*MOU, "build", str(spec), "--out", str(work / "loop"), *lib], "build")
            seconds = time.perf_counter() - started
            results.append(
                {
                    "label": f"loop of mou build ({loop_n})",
                    "seconds": seconds,
                    "per": seconds / loop_n,
                    "built": str(loop_n),
                }
            )

        steps = [
            ("batch from cold", None),
            ("no-op rerun", None),
            ("one spec changed", "spec"),
            ("one clause changed", "clause"),
        ]
        for label, change in steps:
            if change == "spec":
                results.append(one_spec_changed(sorted(specs.glob("*.yaml")), batch, opts.samples))
                continue
            if change == "clause":
                path = library / "clauses" / f"{CLAUSE}.yaml"
                text = path.read_text(encoding="utf-8")  # its version raised by one, whatever it is
                path.write_text(
                    re.sub(r"^version: (\d+)", lambda m: f"version: {int(m.group(1)) + 1}", text, count=1, flags=re.M),
                    encoding="utf-8",
                )
            print(f"  {label} …", flush=True)
            r = run(batch, label)
            r["built"] = built_count(r["output"])
            r["per"] = r["seconds"] / int(r["built"]) if r["built"].isdigit() and int(r["built"]) else None
            results.append(r)

        print("  memory: one mou build, one batch from cold, sampled …", flush=True)
        spec = sorted(specs.glob("*.yaml"))[0]
        memory = [run([*MOU, "build", str(spec), "--out", str(work / "memory-build"), *lib], "mou build", sampled=True)]
        memory.append(run(batch_into("memory-batch"), "batch from cold", sampled=True))

        print()
        print(f"{'run (not sampled)':28} {'built':>6} {'wall s':>8} {'s/agreement':>12}")
        for r in results:
            per = f"{r['per']:.3f}" if r.get("per") else "-"
            print(f"{r['label']:28} {r['built']:>6} {r['seconds']:8.2f} {per:>12}")
        print()
        print(f"{'run (memory sampled)':28} {'wall s':>8} {'peak RSS MB':>12} {'peak PSS MB':>12}")
        for r in memory:
            print(f"{r['label']:28} {r['seconds']:8.2f} {r['rss_mb']:12.0f} {r['pss_mb']:12.0f}")
        cold = next(r for r in results if r["label"] == "batch from cold")
        print()
        if loop_n:
            loop = results[0]
            print(f"batch vs loop, per agreement: {loop['per'] / cold['per']:.1f}x faster (target ≥ 10x)")
        print(f"batch per agreement: {cold['per']:.3f} s (target ≤ 0.35 s)")
        changed = next(r for r in results if r["label"] == "one spec changed")
        print(
            f"one spec changed: {changed['seconds']:.2f} s, the median of {len(changed['samples'])} runs "
            f"({', '.join(f'{t:.2f}' for t in changed['samples'])} s; target ≤ 2 s)"
        )
        noop = next(r for r in results if r["label"] == "no-op rerun")
        print(f"no-op rerun of {opts.n}: {noop['seconds']:.2f} s (target < 1 s for 200)")
        print(
            f"peak memory of a batch (PSS, LibreOffice included): {memory[-1]['pss_mb']:.0f} MB "
            f"(RSS summed over processes: {memory[-1]['rss_mb']:.0f} MB; target ≤ 600 MB)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
