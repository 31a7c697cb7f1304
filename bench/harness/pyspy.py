"""Optional: where server CPU goes, sampled with a py-spy binary the user provides."""
from __future__ import annotations

import os
import re
import signal
import subprocess
from collections import Counter
from pathlib import Path

from .setup import REPO

PROJECT_FRAME = re.compile(r"\((accounts|auctions|audit|common|config|procurement|suppliers)/")


def start_py_spy(binary: str | None, seconds: int, pids: list[int], tmpdir: Path) -> list[tuple[subprocess.Popen, Path]]:
    """One `py-spy record --gil` per server process for `seconds` + 1; nothing without a binary."""
    if not binary:
        return []
    spies = []
    for pid in pids:
        out = tmpdir / f"py-spy-{pid}.txt"
        proc = subprocess.Popen([binary, "record", "--gil", "--nonblocking", "--format", "raw", "--rate", "100",
                                 "--duration", str(seconds + 1), "--pid", str(pid), "--output", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        spies.append((proc, out))
    return spies


def finish_py_spy(spies, top: int = 28) -> str:
    """Inclusive and own share of the sampled (non-idle) server time, per function."""
    if not spies:
        return ""
    inclusive, own, total = Counter(), Counter(), 0
    for proc, out in spies:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        if out.exists():
            total += count_frames(out, inclusive, own)
    if not total:
        return "py-spy: no samples"
    lines = [f"server profile (py-spy --gil: {total} samples of the thread holding the GIL, all server processes)",
             "  inclusive  function"]
    lines += [f"  {count / total * 100:8.1f}%  {frame}" for frame, count in inclusive.most_common(top)]
    project = [(frame, count) for frame, count in inclusive.most_common() if PROJECT_FRAME.search(frame)]
    lines += ["  inclusive  project function"]
    lines += [f"  {count / total * 100:8.1f}%  {frame}" for frame, count in project[:top]]
    lines += ["  own time   function"]
    lines += [f"  {count / total * 100:8.1f}%  {frame}" for frame, count in own.most_common(top // 2)]
    return "\n".join(lines)


def count_frames(raw: Path, inclusive: Counter, own: Counter) -> int:
    """Add one py-spy raw file's samples to the counters; returns its number of samples."""
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [short_frame(f) for f in stack.split(";")[1:]]  # [0] is the thread
        for frame in set(frames):
            inclusive[frame] += n
        if frames:
            own[frames[-1]] += n
    return total


def short_frame(frame: str) -> str:
    """'func (/path/site-packages/pkg/mod.py:12)' → 'func (pkg/mod.py)'."""
    match = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame.strip())
    if not match:
        return frame.strip()
    name, path = match.groups()
    for marker in ("site-packages/", "python3.11/", str(REPO) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"
