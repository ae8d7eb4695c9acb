"""Structured data the jobs need, written once as files by small local rules (no JSON or sheets in
shell strings): each family's pedigree, the filter/ranking settings, the config for provenance and
the score-source list for annotation. A file changes only when its content would change, so editing
a sample's panels reruns only the panel stages (call once, filter many).
"""


rule write_family_pedigree:
    output:
        "results/run/pedigree/{family}.tsv",
    log:
        "logs/run/write_family_pedigree/{family}.log",
    priority: PANEL_PRIORITY
    params:
        # the rerun trigger: the family's rows of samples.tsv without the panels column
        sheet=lambda wc: pedigree_sheet(SAMPLES[s] for s in family_samples(wc.family)),
    run:
        write_text_atomic(Path(output[0]), params.sheet)


rule write_family_sexes:
    output:
        "results/run/pedigree/{family}.sexes.tsv",
    log:
        "logs/run/write_family_sexes/{family}.log",
    priority: PANEL_PRIORITY
    params:
        # bcftools call --samples-file: sample and sex (M/F); unknown sex is called diploid
        sexes=lambda wc: "".join(
            f"{s}\t{'M' if SAMPLES[s].sex == 'male' else 'F'}\n"
            for s in family_samples(wc.family)
        ),
    run:
        write_text_atomic(Path(output[0]), params.sexes)


rule write_settings:
    output:
        "results/provenance/settings.json",
    log:
        "logs/run/write_settings/settings.log",
    priority: PANEL_PRIORITY
    params:
        settings=settings_file_text(
            config.get("filters", {}), config.get("ranking", {})
        ),
    run:
        write_text_atomic(Path(output[0]), params.settings)


rule write_run_config:
    output:
        "results/run/config.json",
    log:
        "logs/run/write_run_config/config.log",
    priority: PANEL_PRIORITY
    params:
        config=json.dumps(config, sort_keys=True, default=str),
    run:
        write_text_atomic(Path(output[0]), params.config)


rule write_score_sources:
    output:
        "results/run/score_sources.json",
    log:
        "logs/run/write_score_sources/sources.log",
    priority: PANEL_PRIORITY
    params:
        sources=json.dumps(RUN.score_sources()),
    run:
        write_text_atomic(Path(output[0]), params.sources)
