"""Annotation of the normalised calls: consequences, population frequencies, ClinVar, scores.

Layers, lowest first; a module imports only modules of lower layers
(``tests/unit/test_annotation_layers.py`` checks it):

1. ``text_blocks``, ``contigs``: lines and fields of text blocks (numpy); contig names, the map.
2. ``keys``: allele keys (trimming, packed single-base keys, hashed indel keys).
3. ``inhouse_db``: the in-house SQLite database (schema, writer, ``hurtig inhouse``).
4. ``source``: the :class:`~hurtig.annotation.source.Source` base class, ``SourceSpec``, INFO
   value and header helpers.
5. ``sources/gnomad``, ``sources/clinvar``, ``sources/scores``, ``sources/inhouse``: one module
   per source kind.
6. ``registry``: source kind → class; the source specs the command-line options name.
7. ``prepared_cache``: the prepared cache, builder and reader of one on-disk format
   (``hurtig prepare-source``).
8. ``join_files``, ``join_cache``: the join of one source, streamed from its file or from its
   prepared bins.
9. ``join``: the join of a shard's input blocks against all its sources.
10. ``engine``: shards, the ``bcftools csq`` pipe, the output header, the index merge.
11. ``cli``: ``hurtig annotate``.

Where to add a new annotation source
------------------------------------

1. Write one module, ``hurtig/annotation/sources/<kind>.py``, with a subclass of
   :class:`hurtig.annotation.source.Source`:

   - ``info_lines()``: the ``##INFO`` definitions of the keys it writes;
   - ``values(rec, idx)``: the ``KEY=value`` items for ALT ``idx`` of a matched record
     (use :func:`~hurtig.annotation.source.format_value` and
     :func:`~hurtig.annotation.source.clean_value` for the values);
   - for a tabix-indexed VCF that is all. For a TSV set ``columns`` (0-based POS, REF, ALT
     columns) and override ``record(line)``; for something that is not a tabix-indexed file
     override ``_open()`` and ``text_chunks()`` too (see ``sources/inhouse.py``);
   - optional: ``from_spec()``/``spec_name()`` when the kind takes options (see
     ``sources/scores.py``), ``cacheable = False`` when the file changes between runs,
     ``fast_values()`` for speed, ``version()``.

   Matching (trimmed, allele-exact, multiallelic records split), contig naming, seeking,
   the ``##hurtig_source`` provenance line and the prepared cache come with the base class.
2. Register it: one entry ``"<kind>": <Class>`` in
   :data:`hurtig.annotation.registry.SOURCE_KINDS` (every process, the shard workers
   too, then knows it). Code outside the package, a test for instance, calls
   :func:`hurtig.annotation.registry.register_source_kind` instead (known in that process only,
   so annotate with ``threads=1``).
3. Use it: ``annotate(..., extra=[SourceSpec("<kind>", path)])``; to offer it on the command
   line, add its option to :func:`hurtig.annotation.registry.add_source_options` and
   :func:`~hurtig.annotation.registry.static_specs` (and the rule's source arguments).

``tests/unit/test_annotation_new_source.py`` does this for a made-up TSV source.
"""
