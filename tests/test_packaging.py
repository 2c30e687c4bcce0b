"""A plain (not editable) install runs the demo: templates, static files, translations and
the sample scenario are package data (setup.py, controlroom.package_data).

The test builds a wheel from a copy of the sources (offline: the build backend installed in
this venv), installs it with ``--no-index --no-deps`` into a fresh venv that borrows this
venv's installed dependencies (a ``.pth`` line: not its ``.pth`` files, so not the editable
install of the checkout), then runs ``controlroom demo`` from an empty folder and fetches a
page and a static file from it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx

from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("controlroom", "web", "injects", "pyproject.toml", "setup.py", "README.md")


def _run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _wheel(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", dist, source)  # fmt: skip
    (wheel,) = dist.glob("controlroom-*.whl")
    return wheel


def _venv(tmp_path: Path, wheel: Path) -> Path:
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip()
    )
    (site / "borrowed.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-index",
         "--no-deps", wheel)  # fmt: skip
    return venv


def test_a_wheel_installed_elsewhere_runs_the_demo(tmp_path: Path) -> None:
    venv = _venv(tmp_path, _wheel(tmp_path))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(venv / "bin" / "python", "-c", "import controlroom; print(controlroom.__file__)",
                 cwd=elsewhere)  # fmt: skip
    assert where.startswith(str(venv)), where  # the installed package, not the checkout
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTROLROOM_")}
    env |= {"CONTROLROOM_LOG_LEVEL": "warning", "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [venv / "bin" / "controlroom", "demo", "--port", str(port)],
            cwd=elsewhere, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert demo.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=1).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        page = httpx.get(f"{base}/signin?lang=ru", timeout=5)
        assert page.status_code == 200 and "Войти" in page.text  # template and translation
        css = httpx.get(f"{base}/static/css/controlroom.css", timeout=5)
        assert css.status_code == 200 and "{" in css.text
        htmx = httpx.get(f"{base}/static/vendor/htmx-4.0.1/htmx.min.js", timeout=5)
        assert htmx.status_code == 200
        output = log.read_text()
        assert "/exercises/trafficking-week-" in output  # the sample scenario's exercise
    finally:
        demo.send_signal(signal.SIGTERM)
        try:
            demo.wait(10)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait()
    assert (elsewhere / "data" / "demo").is_dir()
