"""Content-Security-Policy (issue 16): no template may carry an inline script, an on...= handler,
a javascript: URL, htmx's hx-on or eval'd values, or a <style> element, since the policy
(settings.CONTENT_SECURITY_POLICY, sent in development too) refuses them all and the page would
silently lose its behaviour; and the header says so."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

SRC = Path(__file__).resolve().parents[2]  # src/dangjian

TAG = re.compile(r"<[a-zA-Z][^<>]*>", re.S)
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("inline <script>", re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I)),
    ("<style> element", re.compile(r"<style\b", re.I)),
    ("javascript: URL", re.compile(r"javascript\s*:", re.I)),
)
ATTRIBUTE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("on...= handler", re.compile(r"\son[a-z]+\s*=", re.I)),
    ("hx-on handler", re.compile(r"\s(data-)?hx-on\b", re.I)),
    ("eval'd hx-vals/hx-vars", re.compile(r"\s(data-)?hx-(vals\s*=\s*['\"]\s*js:|vars\b)", re.I)),
)


def violations(text: str) -> list[str]:
    """What the policy would refuse in one template (or Python source that writes HTML)."""
    found = [label for label, rule in RULES if rule.search(text)]
    for tag in TAG.findall(text):
        found += [f"{label}: {tag[:60]}" for label, rule in ATTRIBUTE_RULES if rule.search(tag)]
    return found


TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)


def _markup(path: Path) -> str:
    """A template without its comments; of a Python module, its string literals only (HTML
    written from Python: widgets, format_html)."""
    text = path.read_text()
    if path.suffix == ".html":
        return TEMPLATE_COMMENT.sub("", text)
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return "\n".join(t.string for t in tokens if t.type == tokenize.STRING)


def test_no_template_needs_what_the_policy_refuses() -> None:
    templates = list(SRC.glob("*/templates/**/*.html"))
    python = [p for p in SRC.rglob("*.py") if "tests" not in p.parts and p.name != "conftest.py"]
    assert len(templates) > 100 and len(python) > 100  # the scan found them
    bad = {str(p.relative_to(SRC)): v for p in templates + python if (v := violations(_markup(p)))}
    assert bad == {}


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="module">import x from "./x.js"</script>',
        "<style>.a{}</style>",
        '<a href="javascript:void(0)">x</a>',
        '<button onclick="go()">x</button>',
        '<select class="f"\n  onchange="this.form.submit()">',
        '<div hx-on:click="alert(1)">',
        '<div hx-on::after-request="x()">',
        "<div hx-vals='js:{a: b()}'>",
    ],
)
def test_the_scan_catches(snippet: str) -> None:
    assert violations(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/core/app.js" defer></script>',
        '<div class="one" data-online="1" style="width:4em">',
        '<div hx-vals=\'{"a": 1}\' hx-get="/x/">',
        "<p>on=off 字样的正文</p>",
    ],
)
def test_the_scan_passes(snippet: str) -> None:
    assert violations(snippet) == []


def _policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.mark.django_db
def test_every_page_sends_the_policy(client: Any) -> None:
    policy = _policy(client.get(reverse("accounts:login")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["style-src"] == ["'self'"]  # no <style> elements
    assert policy["style-src-attr"] == ["'unsafe-inline'"]  # style attributes: see settings
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_htmx_runs_without_eval_or_its_own_style() -> None:
    base = (SRC / "core" / "templates" / "base.html").read_text()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", base)
    assert config is not None
    assert '"allowEval": false' in config.group(1)
    assert '"includeIndicatorStyles": false' in config.group(1)
