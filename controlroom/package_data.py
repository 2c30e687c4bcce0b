"""Where the web assets and the sample scenarios are: package data, found through
``importlib.resources``. Design: docs/overview.md ("Installing").

setup.py ships the top-level ``web/`` folder (templates, static files, translations) as
``controlroom/assets`` and ``injects/`` (the sample scenarios) as ``controlroom/samples``
inside the installed package, so a plain ``pip install .`` runs the demo from any folder. In
a source checkout (an editable install, the tests) the same names are the checkout's
``web/`` and ``injects/``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
SAMPLE_SCENARIO = "trafficking-week"


def _packaged(name: str, checkout_name: str) -> Path:
    packaged = resources.files("controlroom") / name
    if packaged.is_dir():
        return Path(str(packaged))
    return CHECKOUT / checkout_name


def web_dir() -> Path:
    """The folder of ``templates/``, ``static/`` and ``locale/``."""
    return _packaged("assets", "web")


def samples_dir() -> Path:
    """The folder of the sample scenarios (``trafficking-week``)."""
    return _packaged("samples", "injects")
