"""Orchard's benchmarks: data generators (COPY into PostgreSQL) and the runner (`python -m bench`).

They print figures and ratios and write bench/results/latest.md; nothing in CI depends on them.
"""
