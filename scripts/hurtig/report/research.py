r"""``hurtig render-research``: the research list's own report page, apart from the panel reports.

CLI::

    hurtig render-research --json results/research/S.json --out results/research/S.html

One self-contained HTML page (no scripts, nothing loaded from the network), headed as research:
the genes are outside the sample's clinical panels and were found by phenotype match alone.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from html import escape
from pathlib import Path

from hurtig.io.files import write_text_atomic
from hurtig.prioritise.results import PrioritisedResults

HEADING = "Research list: outside the clinical panels (not a clinical finding)"
NOTICE = (
    "These variants lie in genes that none of this sample's clinical panels holds. They passed "
    "the same frequency, consequence and inheritance filters as the panel variants and are "
    "ordered by how well the gene's diseases match the patient's HPO terms, then by points. "
    "They are candidates for research and review, not part of the clinical report."
)
COLUMNS = ("rank", "gene", "hgvs_c", "hgvs_p", "genotype", "inheritance", "score", "explanation")
STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:80em}"
    ".research{border:3px solid #b35900;padding:1em}"
    ".notice{background:#fff3e0;padding:.5em 1em}"
    "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3em;vertical-align:top}"
)


def render(results: PrioritisedResults) -> str:
    """The page's HTML."""
    phenotype = results.phenotype or {}
    terms = ", ".join(f"{t['name']} ({t['id']})" for t in phenotype.get("terms", []))
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(row[c]))}</td>" for c in COLUMNS) + "</tr>"
        for row in results.table().records()
    )
    body = (
        f"<table><tr>{''.join(f'<th>{c}</th>' for c in COLUMNS)}</tr>{rows}</table>"
        if rows
        else "<p>No variant outside the panels passed the filters in a phenotype-matched gene.</p>"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(results.sample)}: research list</title><style>{STYLE}</style></head>"
        f"<body><section class='research' id='research-list'><h1>{escape(HEADING)}</h1>"
        f"<p class='notice'>{escape(NOTICE)}</p>"
        f"<p>Sample {escape(results.sample)} (family {escape(results.family)}). "
        f"Phenotype: {escape(terms or 'none given')}. "
        f"Ontology: {escape(str(phenotype.get('ontology', 'none')))}. "
        f"Genes searched: {len(results.panel.genes)}.</p>{body}</section></body></html>\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="hurtig render-research", description=__doc__)
    parser.add_argument("--json", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    write_text_atomic(args.out, render(PrioritisedResults.read(args.json)))
    return 0
