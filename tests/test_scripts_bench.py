"""The benchmark scripts still run: each at a very small size (docs/performance.md).

They print figures and are not timed here: what is checked is that they run to the end
against the real server and count what they should (the same deliveries for our server
and the bare baseline on the same schedule; every delivery exactly once in scaled mode).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.redis_server import REDIS_SERVER

ROOT = Path(__file__).resolve().parents[1]


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [str(ROOT / "scripts" / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_bench_many_runs_our_server_and_the_baseline_on_the_same_schedule(
    tmp_path: Path,
) -> None:
    figures = tmp_path / "many.json"
    out = run(
        "bench_many", "--exercises", "2", "--devices", "20", "--rate", "10", "--seconds", "2",
        "--json", str(figures),
    )  # fmt: skip
    assert "| ours |" in out and "| bare websockets |" in out and "p99: ours" in out
    assert "load average" in out
    result = json.loads(figures.read_text())
    ours, base = result["ours"], result["baseline"]
    # the same commands to the same sockets: as many deliveries on either server
    assert len(ours["latency"]) == len(base["latency"]) > 0
    assert ours["by_kind"]["release"] > 0 and ours["by_kind"]["request"] > 0


def test_bench_fanout_bursts_our_server_and_the_baseline_alike(tmp_path: Path) -> None:
    figures = tmp_path / "fanout.json"
    out = run(
        "bench_fanout", "--clients", "20", "--seconds", "1", "--rate", "5", "--warmup", "2",
        "--repeat", "1", "--bursts", "3", "--storm", "10", "--missed", "3",
        "--json", str(figures),
    )  # fmt: skip
    assert "## Results" in out and "Resume storm: " in out and "all caught up" in out
    result = json.loads(figures.read_text())["20"]
    ours, base = result["burst"], result["baseline"]
    # as many bursts of as many deliveries on either server: 20 injects to 20 clients
    assert len(ours["runs"]) == len(base["runs"]) == 3
    assert ours["deliveries_each"] == base["deliveries_each"] == 400
    assert result["steady"]["deliveries"] == result["steady"]["expected"] == 5 * 2


def test_bench_scaled_counts_every_delivery_once_on_one_and_two_workers(tmp_path: Path) -> None:
    if not (REDIS_SERVER.is_file() and os.access(REDIS_SERVER, os.X_OK)):
        message = f"{REDIS_SERVER} is not installed (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    figures = tmp_path / "scaled.json"
    out = run(
        "bench_scaled", "--clients", "40", "--injects", "10", "--rate", "10", "--warmup", "2",
        "--json", str(figures),
    )  # fmt: skip
    assert "every delivery exactly once: yes" in out
    result = json.loads(figures.read_text())
    assert [w["deliveries"] for w in result["single"]["workers"]] == [400]
    assert [w["deliveries"] for w in result["scaled"]["workers"]] == [200, 200]


def test_bench_review_prints_each_figure_against_the_fold_and_the_limits() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scripts.bench_review", "--runs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| figure |") and "x the fold" in rows[0]
    assert rows[1].startswith("| baseline: fold the journal once |") and "| 1.0 |" in rows[1]
    limited = [row for row in rows if "< 1 s" in row or "< 0.5 s" in row]
    assert len(limited) == 5  # three daily packs, two replays
    assert all(row.endswith(("| met |", "| MISSED |")) for row in limited)
