"""One module per annotation source kind (a :class:`hurtig.annotation.source.Source` subclass).

The kinds are listed in :data:`hurtig.annotation.registry.SOURCE_KINDS`; see
:mod:`hurtig.annotation` for how to add one.
"""
