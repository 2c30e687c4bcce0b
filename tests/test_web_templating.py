"""Jinja pages (controlroom.web.templating): templates are read once, not checked per render."""

from __future__ import annotations

import os
from pathlib import Path

from controlroom.i18n import Catalogues
from controlroom.package_data import web_dir
from controlroom.web.templating import Pages

WEB_DIR = web_dir()


def test_templates_are_not_read_again_on_every_render(tmp_path: Path) -> None:
    (tmp_path / "f.html").write_text("one {{ x }}")
    pages = Pages(tmp_path, Catalogues(WEB_DIR / "locale"))
    assert pages.fragment("f.html", {"x": 1}, "en") == "one 1"
    (tmp_path / "f.html").write_text("two {{ x }}")
    os.utime(tmp_path / "f.html", (1, 1))  # a different mtime: auto_reload would see it
    assert pages.fragment("f.html", {"x": 1}, "en") == "one 1"
