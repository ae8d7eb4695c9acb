"""Gene panels: the registry of definitions, their formats, resolution to padded regions."""
