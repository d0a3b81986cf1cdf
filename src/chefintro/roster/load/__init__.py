"""Applying a roster's rows to the store: each sheet through its noun's intake, all or nothing."""
