"""The per-sample phenotype scores file (``results/phenotype/{sample}.json``): write and read.

It holds the ontology release, the patient's terms and a score per annotated gene
(:class:`hurtig.phenotype.similarity.GenePhenotype`); ``hurtig prioritise`` reads it to add the
phenotype evidence, and the report names the release from it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hurtig.errors import InputError
from hurtig.io.files import write_text_atomic
from hurtig.phenotype.ontology import OntologyRelease
from hurtig.phenotype.similarity import GenePhenotype


@dataclass(frozen=True)
class PhenotypeScores:
    """A sample's phenotype and the gene scores computed from it.

    Attributes:
        sample: sample id.
        ontology: the release used.
        terms: the patient's terms as (id, name).
        genes: scores by gene symbol.
        seconds: how long the scoring took (wall clock).
    """

    sample: str
    ontology: OntologyRelease
    terms: tuple[tuple[str, str], ...]
    genes: dict[str, GenePhenotype]
    seconds: float = 0.0

    def write(self, path: Path) -> None:
        """Write the JSON file atomically."""
        data: dict[str, Any] = {
            "sample": self.sample,
            "ontology": asdict(self.ontology),
            "terms": [{"id": i, "name": n} for i, n in self.terms],
            "seconds": round(self.seconds, 2),
            "genes": {g: asdict(s) for g, s in sorted(self.genes.items())},
        }
        write_text_atomic(path, json.dumps(data, indent=1) + "\n")

    @classmethod
    def read(cls, path: Path) -> PhenotypeScores:
        """Read a file :meth:`write` made.

        Raises:
            InputError: the file is missing or not a phenotype scores file.
        """
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            genes = {
                g: GenePhenotype(**dict(s, matched=tuple(s["matched"])))
                for g, s in data["genes"].items()
            }
            return cls(
                sample=data["sample"],
                ontology=OntologyRelease(**data["ontology"]),
                terms=tuple((t["id"], t["name"]) for t in data["terms"]),
                genes=genes,
                seconds=float(data.get("seconds", 0.0)),
            )
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise InputError(f"{path}: not a phenotype scores file ({err})") from err
