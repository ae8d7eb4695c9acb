"""``hurtig offline-html``: QC pages that load nothing from the network (issue #12, item 5).

Small pages built here hold every kind of network load (and things that must stay); real pages
come from real fastp on a tiny FASTQ and real MultiQC 1.14 (``--flat``, as the rule runs it) over
that fastp JSON and the samtools stats of a small BAM. A headless Chromium opens the pages with
all its traffic sent to a recording proxy on localhost: the original pages reach the CDNs, the
rewritten ones reach nothing and still show their content.
"""

from __future__ import annotations

import gzip
import random
import shutil
import socketserver
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from builders import ReadsBuilder, write_fasta
from hurtig.errors import InputError
from hurtig.qc.offline_html import (
    POLICY,
    check_offline,
    clean_css,
    crude_network_loads,
    is_network_url,
    make_offline,
    network_loads,
    policy_is_first,
    write_offline,
)

PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8"><title>QC for kid</title>
<script src="https://cdn.example.org/lib.js"></script>
<script type="text/javascript" src='//cdn.example.org/other.js'></script>
<link rel="stylesheet" href="http://css.example.org/a.css">
<link rel="preconnect" href="https://fonts.example.org">
<link rel="dns-prefetch" href="//dns.example.org">
<link rel="icon" href="data:image/png;base64,iVBORw0KGgo=">
<base href="https://base.example.org/">
<meta http-equiv="refresh" content="30; url=https://refresh.example.org/">
<style>
@import url("https://import.example.org/x.css");
@import '//import2.example.org/y.css';
body { background: url(https://bg.example.org/b.png) no-repeat; }
.f { src: url("\\68 ttps://escaped.example.org/f.woff"); }
.ok { background: url(data:image/png;base64,AAAA); }
</style>
<script>var home = "https://inline.example.org/api"; document.title += "!";</script>
</head><body>
<h1 id="title">General Statistics</h1>
<img src="https://img.example.org/a.png" alt="logo" width="10">
<img srcset="small.png 1x, https://img.example.org/big.png 2x" src="small.png">
<img src="data:image/png;base64,AAAA" alt="inline">
<img src="plots/local.png" alt="relative">
<div style="background-image: url('https://div.example.org/c.png'); color: red">x</div>
<iframe src="https://frame.example.org/"></iframe>
<video poster="https://poster.example.org/p.jpg"></video>
<object data="https://object.example.org/o.swf"></object>
<svg><image xlink:href="https://svg.example.org/i.png"/></svg>
<table background="http://table.example.org/t.gif"><tr><td>1</td></tr></table>
<script src="file://fileserver/share/x.js"></script>
<a href="https://multiqc.info/docs">MultiQC docs</a>
<map><area href="https://area.example.org/" alt="a"></map>
<p>See https://text.example.org for details.</p>
</body></html>
"""

NETWORK_HOSTS = [
    "cdn.example.org", "css.example.org", "fonts.example.org", "dns.example.org",
    "base.example.org", "refresh.example.org", "import.example.org", "import2.example.org",
    "bg.example.org", "escaped.example.org", "img.example.org", "div.example.org",
    "frame.example.org", "poster.example.org", "object.example.org", "svg.example.org",
    "table.example.org", "fileserver",
]  # fmt: skip
"""Every host the built page loads from (each must be gone after the rewrite)."""

KEPT = [
    'href="https://multiqc.info/docs"', 'href="https://area.example.org/"',
    "https://text.example.org", "https://inline.example.org/api", 'src="plots/local.png"',
    'src="data:image/png;base64,AAAA"', 'alt="logo"', "color: red", "General Statistics",
    'href="data:image/png;base64,iVBORw0KGgo="', "url(data:image/png;base64,AAAA)",
]  # fmt: skip
"""Hyperlinks, text, inline code and local or data: resources: not loads, kept as they were."""


# --------------------------------------------------------------------------- built pages


@pytest.mark.parametrize(
    ("url", "network"),
    [
        ("https://x.org/a.js", True),
        ("HTTP://x.org", True),
        ("//x.org/a.js", True),
        (" \thttps://x.org", True),
        ("\\\\x.org\\a.js", True),
        ("ftp://x.org/a", True),
        ("wss://x.org/socket", True),
        ("file://server/share/a.js", True),
        ("file:///usr/share/javascript/a.js", False),
        ("file://localhost/usr/a.js", False),
        ("data:image/png;base64,AA", False),
        ("blob:abc", False),
        ("javascript:void(0)", False),
        ("#section", False),
        ("plots/a.png", False),
        ("../fonts/glyphicons.woff", False),
        ("/abs/path.png", False),
        ("mailto:qc@example.org", False),
    ],
)
def test_is_network_url(url: str, network: bool) -> None:
    assert is_network_url(url) is network


def test_css_network_urls_emptied_and_imports_removed() -> None:
    css = (
        '@import url(https://a.org/x.css); @import "//b.org/y.css" screen;'
        " p { background: url( 'https://c.org/p.png' ) } q { background: url(local.png) }"
        " r { src: url(\\68ttps://d.org/f.woff) }"
    )
    cleaned, removed = clean_css(css)
    assert "a.org" not in cleaned and "b.org" not in cleaned and "c.org" not in cleaned
    assert 'url("data:,")' in cleaned and "url(local.png)" in cleaned
    assert "d.org" not in cleaned
    assert len(removed) == 4


def test_every_network_load_of_a_page_found() -> None:
    loads = network_loads(PAGE)
    described = " ".join(load.what for load in loads)
    assert [host for host in NETWORK_HOSTS if host not in described] == []
    assert "multiqc.info" not in described and "text.example.org" not in described


def test_rewritten_page_loads_nothing_and_keeps_the_rest() -> None:
    cleaned, removed = make_offline(PAGE)
    assert network_loads(cleaned) == []
    assert crude_network_loads(cleaned) == []
    for host in NETWORK_HOSTS:
        assert host not in cleaned, host
    assert [kept for kept in KEPT if kept not in cleaned] == []
    assert len(removed) == len(network_loads(PAGE))
    assert policy_is_first(cleaned)
    head = cleaned.index("<head>") + len("<head>")
    assert cleaned[head:].startswith('<meta http-equiv="Content-Security-Policy"')
    check_offline(cleaned, "page.html")  # does not raise
    assert make_offline(cleaned) == (cleaned, [])  # idempotent


def test_original_page_fails_the_check_with_one_line() -> None:
    with pytest.raises(InputError) as err:
        check_offline(PAGE, "results/qc/multiqc.html")
    message = str(err.value)
    assert message.startswith("results/qc/multiqc.html: still loads <script src> https://cdn.")
    assert "at line 4" in message and "more)" in message and "\n" not in message


def test_check_needs_the_policy_first() -> None:
    page = "<html><head><title>t</title></head><body>no loads</body></html>"
    assert network_loads(page) == []
    with pytest.raises(InputError, match=r"^p\.html: the Content-Security-Policy is not the first"):
        check_offline(page, "p.html")
    late = page.replace(
        "</title>", f'</title><meta http-equiv="Content-Security-Policy" content="{POLICY}">'
    )
    assert not policy_is_first(late)
    check_offline(make_offline(late)[0], "p.html")


def test_second_opinion_catches_what_it_should() -> None:
    assert crude_network_loads('<img alt="x" src="https://a.org/i.png">') == [0]
    assert crude_network_loads("<style>p{background:url(//a.org/i.png)}</style>") != []
    assert crude_network_loads('<a href="https://a.org/">link</a>') == []
    assert crude_network_loads('<script>var u = "<img src=https://a.org/x.png>";</script>') == []


@pytest.mark.parametrize(
    "page",
    [
        '<p>no head</p><script src="https://a.org/x.js"></script>',
        '<!DOCTYPE html><html><body><img src="https://a.org/i.png"></body></html>',
        '<!doctype html><meta charset="utf-8"><title>t</title><link href="//a.org/s.css">',
    ],
)
def test_policy_inserted_without_a_head(page: str) -> None:
    cleaned, removed = make_offline(page)
    assert len(removed) == 1 and "a.org" not in cleaned
    check_offline(cleaned, "p.html")


def test_local_file_script_and_stylesheet_inlined(tmp_path: Path) -> None:
    script = tmp_path / "lib.js"
    script.write_text('var s = "</script><b>";\nwindow.libLoaded = true;\n')
    css = tmp_path / "s.css"
    css.write_text("p { color: blue }\n")
    page = (
        f'<html><head><script src="{script.as_uri()}"></script>'
        f'<link rel="stylesheet" href="{css.as_uri()}">'
        '<script src="file:///no/such/file.js"></script></head><body></body></html>'
    )
    cleaned, removed = make_offline(page)
    assert "window.libLoaded = true" in cleaned and '"<\\/script><b>"' in cleaned
    assert "<style>p { color: blue }\n</style>" in cleaned
    assert len(removed) == 2
    assert 'src="file:///no/such/file.js"' in cleaned  # not on this machine: left, CSP blocks it
    check_offline(cleaned, "p.html")


# --------------------------------------------------------------------------- the command


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["hurtig", "offline-html", *args], capture_output=True, text=True, check=False
    )


def test_cli_writes_private_checked_page(tmp_path: Path) -> None:
    source = tmp_path / "in.html"
    source.write_text(PAGE)
    out = tmp_path / "qc" / "out.html"
    done = run_cli("--in", str(source), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"{out}: {len(network_loads(PAGE))} network loads removed" in done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    check_offline(out.read_text(), str(out))
    assert source.read_text() == PAGE
    assert [p.name for p in out.parent.iterdir()] == ["out.html"]  # no temporary left


def test_cli_in_place(tmp_path: Path) -> None:
    page = tmp_path / "fastp.html"
    page.write_text(PAGE)
    assert run_cli("--in", str(page), "--out", str(page)).returncode == 0
    check_offline(page.read_text(), str(page))


def test_cli_missing_input_one_error_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    done = run_cli("--in", str(missing), "--out", str(tmp_path / "out.html"))
    assert done.returncode == 2
    assert done.stderr == f"hurtig error: {missing}: HTML page not found\n"
    assert not (tmp_path / "out.html").exists()


def test_write_offline_keeps_bytes_it_cannot_decode(tmp_path: Path) -> None:
    source = tmp_path / "latin1.html"
    source.write_bytes(
        b"<html><head></head><body>caf\xe9 <img src='https://a.org/i'></body></html>"
    )
    out = tmp_path / "out.html"
    assert len(write_offline(source, out)) == 1
    assert b"caf\xe9 " in out.read_bytes()


# --------------------------------------------------------------------------- real pages


def write_fastq_pair(folder: Path, pairs: int = 300, length: int = 100) -> tuple[Path, Path]:
    rng = random.Random(12)
    paths = (folder / "kid_R1.fastq.gz", folder / "kid_R2.fastq.gz")
    reads = ["".join(rng.choice("ACGT") for _ in range(length)) for _ in range(2 * pairs)]
    for mate, path in enumerate(paths):
        with gzip.open(path, "wt") as handle:
            for i in range(pairs):
                handle.write(f"@pair{i}/{mate + 1}\n{reads[2 * i + mate]}\n+\n{'I' * length}\n")
    return paths


@pytest.fixture(scope="module")
def real_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fastp HTML and MultiQC's ``--flat`` page as the workflow's tools write them."""
    folder = tmp_path_factory.mktemp("qc")
    r1, r2 = write_fastq_pair(folder)
    fastp_json, fastp_html = folder / "kid.json", folder / "kid.fastp.html"
    subprocess.run(
        ["fastp", "--in1", r1, "--in2", r2, "--out1", folder / "o1.fq.gz", "--out2",
         folder / "o2.fq.gz", "--json", fastp_json, "--html", fastp_html],
        check=True, capture_output=True,
    )  # fmt: skip
    rng = random.Random(3)
    fasta = write_fasta(
        folder / "ref.fa", {"chr1": "".join(rng.choice("ACGT") for _ in range(3000))}
    )
    reads = ReadsBuilder(fasta, sample="kid", read_length=50)
    reads.tile("chr1", 1, 2900, step=10)
    bam = reads.to_path(folder / "kid.bam")
    stats = folder / "kid.txt"
    with stats.open("w") as handle:
        subprocess.run(["samtools", "stats", bam], check=True, stdout=handle)
    subprocess.run(
        ["multiqc", "--force", "--flat", "--no-data-dir", "--filename", "multiqc.html",
         "--outdir", folder / "mq", fastp_json, stats],
        check=True, capture_output=True,
    )  # fmt: skip
    return {"fastp": fastp_html, "multiqc": folder / "mq" / "multiqc.html"}


@pytest.mark.parametrize("tool", ["fastp", "multiqc"])
def test_real_page_rewritten_offline(real_pages: dict[str, Path], tool: str) -> None:
    original = real_pages[tool].read_text()
    assert network_loads(original) != [], "the tool's page loads from the network"
    out = real_pages[tool].with_name(f"{tool}.offline.html")
    removed = write_offline(real_pages[tool], out)
    assert removed and all("<script" in what for what in removed)
    check_offline(out.read_text(), str(out))


# --------------------------------------------------------------------------- in a browser

CHROMIUM_SERVICES = ("google.com", "googleapis.com", "gvt1.com", "gstatic.com")
"""Chromium's own background traffic (time, component updates, accounts), not the page's."""


class _Recorder(socketserver.StreamRequestHandler):
    hosts: list[str]

    def handle(self) -> None:
        line = self.rfile.readline().decode(errors="replace").split()
        if len(line) >= 2:
            target = line[1]
            host = target.split("//", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
            self.hosts.append(host)
        self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")


@pytest.fixture
def proxy() -> Iterator[tuple[int, list[str]]]:
    """A local HTTP proxy that records the host of every request and answers 502."""
    hosts: list[str] = []
    handler = type("Recorder", (_Recorder,), {"hosts": hosts})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hosts
    server.shutdown()
    server.server_close()


def open_in_chromium(page: Path, port: int, profile: Path) -> str:
    """The DOM of a page after load, all network traffic through the recording proxy."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed: run scripts/install.sh --with-browser")
    done = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", f"--proxy-server=http://127.0.0.1:{port}",
         "--proxy-bypass-list=<-loopback>", "--virtual-time-budget=5000", "--dump-dom",
         page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def page_hosts(hosts: list[str]) -> set[str]:
    return {h for h in hosts if not any(h == s or h.endswith(f".{s}") for s in CHROMIUM_SERVICES)}


@pytest.mark.browser
@pytest.mark.parametrize(
    ("tool", "cdn", "content"),
    [
        ("fastp", "opengene.org", ["Filtering result", "reads passed filters"]),
        ("multiqc", "code.highcharts.com", ["General Statistics", "kid", "Samtools"]),
    ],
)
def test_browser_loads_nothing_and_shows_content(
    real_pages: dict[str, Path],
    proxy: tuple[int, list[str]],
    tmp_path: Path,
    tool: str,
    cdn: str,
    content: list[str],
) -> None:
    port, hosts = proxy
    open_in_chromium(real_pages[tool], port, tmp_path / "profile1")
    assert cdn in page_hosts(hosts), "the proxy sees the original page's loads"
    hosts.clear()
    out = tmp_path / f"{tool}.html"
    write_offline(real_pages[tool], out)
    dom = open_in_chromium(out, port, tmp_path / "profile2")
    assert page_hosts(hosts) == set()
    assert [text for text in content if text not in dom] == []
