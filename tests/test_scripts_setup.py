"""scripts/setup at a venue with no internet: once installed, it never asks a package index.

The package index is made unreachable with ``PIP_INDEX_URL`` on a dead port (and no pip
configuration file that could point elsewhere); where unprivileged user namespaces work, also
with no network at all (``unshare -rn``). These run against this worktree's own ``.venv``,
installed by ``scripts/setup --dev`` as every test run needs: if pyproject.toml changed since,
the first test fails and says so (run ``scripts/setup --dev``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[1]
DEAD_INDEX = "http://127.0.0.1:9/simple"


def offline_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return {**env, "PIP_INDEX_URL": DEAD_INDEX, "PIP_CONFIG_FILE": os.devnull, **extra}


def run(command: list[str], cwd: Path = ROOT, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=offline_env(**extra), capture_output=True, text=True, timeout=120
    )


def no_network_available() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    return subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0


def test_setup_needs_no_package_index_once_installed() -> None:
    for args in (["--dev"], []):
        done = run(["scripts/setup", *args])
        assert done.returncode == 0, done.stdout + done.stderr
        assert "setup: up to date (.venv)" in done.stdout, done.stdout
        assert "installed (.venv)" not in done.stdout


@pytest.mark.skipif(not no_network_available(), reason="no unprivileged network namespaces")
def test_setup_needs_no_network_at_all_once_installed() -> None:
    done = run(["unshare", "-rn", "scripts/setup", "--dev"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "setup: up to date (.venv)" in done.stdout


def test_demo_starts_with_the_package_index_unreachable(tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(
        ["scripts/demo", "--port", str(port)],
        cwd=ROOT,
        env=offline_env(CONTROLROOM_DATA_DIR=str(tmp_path / "data")),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "demo.log").read_text()
            time.sleep(0.2)
        signin = httpx.get(f"http://127.0.0.1:{port}/signin", timeout=5)
        assert signin.status_code == 200
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=20)
        log.close()
    assert "setup: up to date (.venv)" in (tmp_path / "demo.log").read_text()


def copy_of_setup(tmp_path: Path) -> Path:
    """The files scripts/setup reads, in a folder of their own, sharing this worktree's .venv."""
    place = tmp_path / "repo"
    (place / "scripts").mkdir(parents=True)
    for name in ("pyproject.toml", "constraints.txt", "scripts/setup", "scripts/setup_check.py"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, place / name)
    (place / ".venv").symlink_to(ROOT / ".venv")
    return place


def test_a_changed_pyproject_or_constraints_file_means_installing(tmp_path: Path) -> None:
    place = copy_of_setup(tmp_path)
    assert run(["scripts/setup", "--check", "--dev"], place).returncode == 0
    pyproject = place / "pyproject.toml"
    original = pyproject.read_text()
    pyproject.write_text(original.replace('"click>=8.1",', '"click>=8.1", "no-such-dist>=1",'))
    changed = run(["scripts/setup", "--check"], place)
    assert changed.returncode == 1
    assert "pyproject.toml, constraints.txt or Python changed" in changed.stdout
    pyproject.write_text(original)
    (place / "constraints.txt").write_text("starlette==0.1.0\n")
    pinned = run(["scripts/setup", "--check"], place)
    assert pinned.returncode == 1, pinned.stdout


def test_the_check_compares_installed_distributions_with_the_requirements(
    tmp_path: Path,
) -> None:
    check = [sys.executable, str(ROOT / "scripts" / "setup_check.py")]
    assert run([*check, "--extra", "dev"]).returncode == 0
    pyproject = tmp_path / "pyproject.toml"
    text = (ROOT / "pyproject.toml").read_text()
    pyproject.write_text(text.replace('"pyyaml>=6.0"', '"pyyaml>=99", "no-such-dist>=1"'))
    found = run([*check, "--pyproject", str(pyproject)])
    assert found.returncode == 1
    assert "pyyaml>=99 is wanted" in found.stdout
    assert "no-such-dist>=1 (wanted by pyproject.toml) is not installed" in found.stdout
    assert "installed from an older pyproject.toml" in found.stdout
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("# pins\nstarlette==0.1.0\n")
    pinned = run([*check, "--constraints", str(constraints)])
    assert pinned.returncode == 1 and "starlette==0.1.0 is wanted" in pinned.stdout
    dev_only = text.replace('"pytest>=8",', '"pytest>=999",')
    pyproject.write_text(dev_only)
    assert run([*check, "--pyproject", str(pyproject)]).returncode == 0  # not asked for dev
    assert run([*check, "--pyproject", str(pyproject), "--extra", "dev"]).returncode == 1
