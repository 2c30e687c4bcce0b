"""Packaging beyond what pyproject.toml can say: the top-level ``web/`` folder (templates,
static files, translations) and the sample scenarios in ``injects/`` ship inside the
package as ``controlroom.assets`` and ``controlroom.samples`` (found through
``importlib.resources``: controlroom/assets.py), so a plain ``pip install .`` runs the demo.
"""

from setuptools import find_packages, setup

MAPPED = {"controlroom.assets": "web", "controlroom.samples": "injects"}

setup(
    packages=[*find_packages(include=["controlroom", "controlroom.*"]), *MAPPED],
    package_dir=MAPPED,
    package_data={name: ["**/*"] for name in MAPPED},
    include_package_data=False,
)
