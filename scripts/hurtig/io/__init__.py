"""File helpers below every stage: hashing, atomic writes, tabix index merging."""
