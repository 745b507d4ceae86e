"""Benchmarks: scripts that seed a database, serve it and print numbers (never timed tests)."""
