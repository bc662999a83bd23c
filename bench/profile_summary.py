"""Summarise a py-spy ``--format raw`` (collapsed stacks) profile: where the samples go.

Prints the share of samples per process, the top frames by self time, and the share of samples
that pass through a few layers of a Flask/gunicorn SPARQL endpoint (gunicorn, werkzeug, flask,
pyoxigraph query, result serialisation, json) so the cost of each layer per request is visible.

    .venv/bin/python bench/profile_summary.py bench/results/py-spy-*.txt
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

#: Layers: a sample counts toward a layer when any frame of its stack matches the pattern.
LAYERS = (
    ("gunicorn (accept/parse/respond)", r"gunicorn/"),
    ("werkzeug", r"werkzeug/"),
    ("flask dispatch", r"flask/"),
    ("kg package", r"/kg/"),
    ("store.query (pyoxigraph)", r"\bquery \(|\.query\b|pyoxigraph"),
    ("serialize / results", r"serializ|_results|to_json|json"),
    ("logging", r"logging/"),
    ("socket I/O", r"socket\.py|sendall|recv"),
)
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def _parse(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        stacks.append((stack.split(";"), int(count)))
    return stacks


def _short(frame: str) -> str:
    m = _FRAME.match(frame)
    if not m:
        return frame
    file = m["file"]
    for marker in ("site-packages/", "lib/python3", "src/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{m['func']} ({file}{':' + m['line'] if m['line'] else ''})"


def summarise(path: Path, top: int = 25) -> str:
    stacks = _parse(path)
    total = sum(c for _, c in stacks) or 1
    out = [f"{path}: {total} samples"]
    procs = Counter()
    for frames, c in stacks:
        procs[frames[0] if frames and frames[0].startswith("process") else "?"] += c
    out.append("\nby process:")
    out += [f"  {100 * c / total:5.1f}%  {p}" for p, c in procs.most_common(10)]
    own = Counter()
    incl = Counter()
    for frames, c in stacks:
        if frames:
            own[_short(frames[-1])] += c
        for f in {_short(f) for f in frames}:
            incl[f] += c
    out.append(f"\ntop {top} frames by self samples:")
    out += [f"  {100 * c / total:5.1f}%  {f}" for f, c in own.most_common(top)]
    out.append(f"\ntop {top} frames by inclusive samples:")
    out += [f"  {100 * c / total:5.1f}%  {f}" for f, c in incl.most_common(top)]
    out.append("\nlayers (inclusive, a sample may count in several):")
    for name, pattern in LAYERS:
        rx = re.compile(pattern)
        n = sum(c for frames, c in stacks if any(rx.search(f) for f in frames))
        out.append(f"  {100 * n / total:5.1f}%  {name}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--top", type=int, default=25)
    args = p.parse_args(argv)
    for f in args.files:
        sys.stdout.write(summarise(f, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
