"""The clinical report of one sample × panel: one report model, rendered as HTML, PDF and XLSX.

Modules:

- :mod:`~hurtig.report.model` — :class:`~hurtig.report.model.ReportModel`, built once from the
  report's inputs by :func:`~hurtig.report.model.build_report_model`: variants, coverage, QC,
  the checks verdict, provenance, the clinical-use verdict and the ordered body sections.
- :mod:`~hurtig.report.prioritised_input` — the one place that reads the prioritised TSV/JSON.
- :mod:`~hurtig.report.variants`, :mod:`~hurtig.report.qc_verdict`,
  :mod:`~hurtig.report.clinical_use`, :mod:`~hurtig.report.scope` — the model's parts: variant
  entries with links, the sequencing QC and panel verdicts (PASS, INCOMPLETE or CHECK: the one
  place they are decided), the clinical-use verdict from the family checks file and its wording,
  what the analysis did not examine (with ``catalogue/known_mechanisms.tsv``, sourced in
  ``catalogue/README.md``).
- :mod:`~hurtig.report.sections` — the body's sections in order (``REPORT_SECTIONS``).
- :mod:`~hurtig.report.html` (``hurtig render-report``), :mod:`~hurtig.report.xlsx`
  (``hurtig write-xlsx``), :mod:`~hurtig.report.pdf` (``hurtig print-pdf``) — the renderers;
  HTML and XLSX both consume the model and never import each other.
- :mod:`~hurtig.report.provenance` (``hurtig provenance``) and
  :mod:`~hurtig.report.provenance_file` — the owner type of
  ``results/provenance/{sample}.json``.
- :mod:`~hurtig.report.read_views` (``hurtig read-views``) and :mod:`~hurtig.report.pileup` —
  the reads around each prioritised variant, from the family's CRAMs;
  :mod:`~hurtig.report.pileup_svg` and :mod:`~hurtig.report.read_view_section` — their static
  SVG pileups, the "Read views" section.
- :mod:`~hurtig.report.formatting` — the jinja number filters; ``templates/`` — the page
  skeleton (``template.html.j2``), one partial per section (``section_*.html.j2``), CSS and JS.

Adding a report section
-----------------------
1. Write a builder ``def my_section(model: ReportModel) -> ReportSection | None`` (next to the
   others in ``report/sections.py``, or in its own module under ``report/``). It returns
   ``ReportSection(id="sec-my", title="My section", nav_label="My section", columns=(...),
   rows=(...), intro="...")`` from the facts in the model, or None when the section has nothing
   to show for this report. If the model lacks the facts, add them to ``ReportModel`` and read
   them in ``build_report_model`` first.
2. Register it: put ``my_section`` into ``REPORT_SECTIONS`` in ``report/sections.py`` at the
   place it should appear (the tuple's order is the report's order).
3. That is all for a table: the HTML renders it with ``templates/section_table.html.j2`` (a
   heading, the intro, a table with the columns and rows), links it from the table of contents
   when ``nav_label`` is set, and the XLSX workbook gets a sheet named by the title (31
   characters at most). For another layout, add ``templates/section_my.html.j2`` and set
   ``template="section_my.html.j2"``; the partial sees ``section``, ``model`` and the names the
   other partials use (HTML only; without ``columns`` there is no sheet).

``tests/unit/test_report.py::test_recipe_new_section_in_html_and_xlsx`` does exactly this.
"""
