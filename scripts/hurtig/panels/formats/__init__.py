"""Gene panel definitions in the formats labs use, each read into one :class:`Panel`.

Modules:

- :mod:`~hurtig.panels.formats.definition`: :class:`Panel`, :class:`PanelGene`, modes of
  inheritance and the helpers every reader shares (reading, checksums, duplicate genes).
- :mod:`~hurtig.panels.formats.scout`: Scout panel TSV (``scout``).
- :mod:`~hurtig.panels.formats.gene_list`: one gene per line (``gene_list``, the fallback).
- :mod:`~hurtig.panels.formats.panelapp`: PanelApp TSV download and API JSON
  (``panelapp_tsv``, ``panelapp_json``).
- :mod:`~hurtig.panels.formats.ella`: OUS/ELLA panel folders (``ella``).
- :mod:`~hurtig.panels.formats.registry`: which reader a definition needs;
  :func:`~hurtig.panels.formats.registry.load_any` reads any of them.

Where to add a new panel format
-------------------------------

1. Write ``scripts/hurtig/panels/formats/<name>.py`` with a reader
   ``read_<name>(path: Path, min_confidence: int) -> Panel``. Build the panel with the helpers
   of ``definition.py`` (``read_bytes``, ``decode``, ``normalise_hgnc``, ``parse_inheritance``,
   ``single_file_panel``, which also refuses a gene listed twice and an empty panel); refuse
   bad input with an ``InputError`` that names the file and line.
2. In ``registry.py``, describe it as ``PanelFormat("<name>", detects, read)``: ``detects``
   looks at a :class:`~hurtig.panels.formats.registry.Sniff` (the non-blank lines, the first
   one, whether the definition is a folder) and must not claim the other formats' files. Add
   it to ``FORMATS`` (formats are tried in order; a file nobody claims is a gene list).
   Code outside the package may instead call ``register_format(PanelFormat(...))``.
3. Nothing else changes: the registry layout, ``hurtig resolve-panel`` and prioritisation read
   every format through ``load_any``, and the resolved panel JSON records ``"format": "<name>"``.
4. Add a small example definition under ``tests/data/panels/`` and its case to
   ``tests/unit/test_panels_formats.py`` (``CASES``; ``HURTIG_UPDATE_GOLDEN=1`` writes its
   expected summary). ``tests/unit/test_panels_recipe.py`` walks these steps with a made-up
   format.
"""
