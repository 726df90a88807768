"""A bad command-line value is a usage error: exit code 2, one ``error:`` line naming the value and what is
expected, no traceback, and no crawl (nothing written). The command line is spelled out here on purpose: it
is what is under test."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.crawl.crawl_run import crawl_env
from tests.crawl.redis_server import free_port

NO_REDIS = f"redis://127.0.0.1:{free_port()}/0"          # a port nothing listens on

BAD_VALUES = {
    "as_of not ISO": (["-a", "as_of=22-11-2026", "-s", "REPLAY_DIR=fixtures"],
                      ["as_of='22-11-2026'", "YYYY-MM-DD"]),
    "missing replay dir": (["-s", "REPLAY_DIR=/missing"], ["REPLAY_DIR=/missing", "pages.json"]),
    "url without scheme": (["-a", "url=not-a-url"], ["'not-a-url'", "http(s) URL"]),
    "url not http": (["-a", "url=ftp://example.org/a"], ["'ftp://example.org/a'", "http(s) URL"]),
    "second url bad": (["-a", "url=https://www.catalyzex.com/author/A,www.example.org/b"],
                       ["'www.example.org/b'", "http(s) URL"]),
    "nothing to crawl": ([], ["nothing to crawl", "-a url="]),
    "replay variant not in the manifest": (["-s", "REPLAY_DIR=fixtures", "-s", "REPLAY_VARIANT=bogus"],
                                           ["REPLAY_VARIANT=bogus", "html, text"]),
    "argument the spider does not have": (["-a", "urls=https://www.catalyzex.com/author/A"],
                                          ["-a urls", "url, name, as_of"]),
    "redis unreachable": (["-s", f"REDIS_URL={NO_REDIS}"], [f"REDIS_URL={NO_REDIS}", "cannot be reached"]),
    "redis url not redis": (["-s", "REDIS_URL=http://127.0.0.1:6379/0"],
                            ["REDIS_URL=http://127.0.0.1:6379/0", "not a Redis URL"]),
    "a boolean that is not one": (["-s", "REPLAY_DIR=fixtures", "-s", "STORE_WRITER_PROCESS=maybe"],
                                  ["STORE_WRITER_PROCESS=maybe", "True or False"]),
    "a page limit that is not a number": (["-s", "REPLAY_DIR=fixtures", "-s", "PAGE_LIMIT=ten"],
                                          ["PAGE_LIMIT=ten", "whole number"]),
    "a delay that is not a number": (["-s", "REPLAY_DIR=fixtures", "-s", "STORE_WAIT_AT_END=5min"],
                                     ["STORE_WAIT_AT_END=5min", "number of seconds"]),
    # "paper" was the old default, and no adapter emits it: a typo'd kind would silently follow nothing.
    "unknown link kind": (["-s", "REPLAY_DIR=fixtures", "-s", "FOLLOW_KINDS=next-page,paper"],
                          ["FOLLOW_KINDS=next-page,paper", "'paper'", "next-page, arxiv"]),
}


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_bad_value_is_one_error_line_and_exit_2(tmp_path, case):
    arguments, named = BAD_VALUES[case]
    output = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", "author", *arguments, "-s", "ARXIV_COMPLETION=False",
               "-O", str(output)]
    done = subprocess.run(command, cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=60)
    log = done.stdout + done.stderr
    assert done.returncode == 2, log
    assert "Traceback" not in log
    errors = [line for line in log.splitlines() if " error: " in line or line.startswith("error:")]
    assert len(errors) == 1, log
    assert all(part in errors[0] for part in named), errors[0]
    assert "Spider opened" not in log and not output.exists()


def test_every_setting_of_ours_read_as_a_bool_number_or_seconds_is_checked_before_the_crawl():
    # crawlers/setting_values.py lists them by hand; a setting added later and read with getbool/getint/getfloat
    # must join the list, or a bad value of it is a traceback again. Scrapy's own settings are Scrapy's to check.
    import re

    from scrapy.settings import default_settings

    from crawlers.setting_values import SETTING_KINDS

    read = set()
    for module in (ROOT / "crawlers").rglob("*.py"):
        read |= set(re.findall(r"\.get(bool|int|float)\(\"([A-Z_]+)\"", module.read_text(encoding="utf-8")))
    ours = {(kind, name) for kind, name in read if not hasattr(default_settings, name)}
    listed = {(kind, name) for kind, names in SETTING_KINDS.items() for name in names}
    assert ours == listed
