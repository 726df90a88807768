"""parsers/ must import without Scrapy or Twisted: extraction is usable (and benchmarked) on its own."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import parsers
from tests.conftest import ROOT

CHECK = """
import importlib, pkgutil, sys
import parsers
names = ["parsers"] + [m.name for m in pkgutil.walk_packages(parsers.__path__, "parsers.")]
for name in names:
    importlib.import_module(name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("scrapy", "twisted"))
print(len(names), bad)
"""


def test_parsers_modules_import_no_scrapy_or_twisted():
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    count, bad = done.stdout.split(" ", 1)
    assert bad.strip() == "[]"
    # every module was imported (the walk found the site adapters and field parsers, not just the package)
    expected = 1 + sum(1 for _ in pkgutil.walk_packages(parsers.__path__, "parsers."))
    assert int(count) == expected > 5
