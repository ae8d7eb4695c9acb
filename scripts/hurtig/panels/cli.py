r"""``hurtig resolve-panel``: resolve a panel to default transcripts and padded regions.

CLI::

    hurtig resolve-panel (--panel FILE_OR_ELLA_FOLDER | --registry DIR --spec ID[@VERSION]) \
        --gff3 GFF3 --out-bed OUT.bed --out-json OUT.json \
        [--acceptor-padding 20 --donor-padding 6 --min-confidence 3]

Writes the panel's BED6 regions and its JSON (:class:`hurtig.panels.model.ResolvedPanel`);
warns on stderr about genes the gene model lacks and, per gene, a panel transcript not found
(which transcript is used instead and why) or found with another version.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from hurtig.errors import InputError
from hurtig.genes.gene_model import load_gff3
from hurtig.panels.formats.definition import GREEN
from hurtig.panels.formats.registry import load_any
from hurtig.panels.model import ResolvedPanel
from hurtig.panels.registry import load_registry_panel
from hurtig.panels.resolve import DEFAULT_ACCEPTOR_PADDING, DEFAULT_DONOR_PADDING, resolved_panel


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command-line arguments.

    Raises:
        InputError: negative padding, or only one of ``--registry`` and ``--spec``.
    """
    parser = argparse.ArgumentParser(prog="hurtig resolve-panel", description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--panel", type=Path, help="one definition (any format) or ELLA folder")
    source.add_argument("--registry", type=Path, help="panel registry folder (with --spec)")
    parser.add_argument("--spec", help="ID or ID@VERSION in the registry")
    parser.add_argument("--gff3", required=True, type=Path, help="Ensembl GFF3 (plain or .gz)")
    parser.add_argument("--out-bed", required=True, type=Path)
    parser.add_argument("--out-json", required=True, type=Path)
    parser.add_argument("--acceptor-padding", type=int, default=DEFAULT_ACCEPTOR_PADDING)
    parser.add_argument("--donor-padding", type=int, default=DEFAULT_DONOR_PADDING)
    parser.add_argument(
        "--min-confidence",
        type=int,
        default=GREEN,
        help="PanelApp: lowest confidence kept (3 = green only, the default)",
    )
    args = parser.parse_args(argv)
    if args.acceptor_padding < 0 or args.donor_padding < 0:
        raise InputError("--acceptor-padding/--donor-padding: must be >= 0")
    if (args.registry is None) != (args.spec is None):
        raise InputError("--registry and --spec go together")
    return args


def warn(resolved: ResolvedPanel) -> None:
    """Warn on stderr about missing genes and panel transcripts not used as named."""
    label = f"{resolved.id}@{resolved.version or 'unversioned'}"
    for miss in resolved.missing_genes:
        name = miss["symbol"] or miss["hgnc_id"]
        print(f"hurtig warning: {label}: gene {name} {miss['reason']}", file=sys.stderr)
    for g in resolved.genes:
        if g.transcript_note:
            print(f"hurtig warning: {label}: {g.symbol}: {g.transcript_note}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    args = parse_args(argv)
    if args.registry is not None:
        panel = load_registry_panel(args.registry, args.spec, args.min_confidence)
    else:
        panel = load_any(args.panel, args.min_confidence)
    model = load_gff3(args.gff3)
    resolved = resolved_panel(
        panel, model, str(args.gff3), args.acceptor_padding, args.donor_padding, args.spec
    )
    if not resolved.genes:
        raise InputError(f"{panel.path}: none of the panel genes is in {args.gff3}")
    resolved.write_bed(args.out_bed)
    resolved.write(args.out_json)
    warn(resolved)
    return 0
