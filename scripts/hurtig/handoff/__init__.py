"""Hand-off to the lab's interpretation tools: ELLA analysis folders and Scout case files.

``hurtig write-ella`` writes, per sample and panel, an analysis folder in the layout ELLA's
analysis watcher imports (:mod:`hurtig.handoff.ella`); ``hurtig write-scout`` writes, per family,
a ranked VCF with the INFO keys Scout's variant parser reads, a PED file and a Scout load config
(:mod:`hurtig.handoff.scout`). Both VCFs carry a VEP-style ``CSQ`` key made from our ``BCSQ``
annotation and the gene model (:mod:`hurtig.handoff.vcf_keys`). The field mapping and the
parsers it was checked against: ``docs/HANDOFF.md``.
"""
