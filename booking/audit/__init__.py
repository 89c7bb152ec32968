"""Who did what, when: ``models`` holds one row per change, ``services.record`` writes it in the caller's transaction."""
