"""Intake: the watched folder and the code beside it, ingest, limits and contracts.

Files come in here: watched, settled, hashed, validated against the pinned contract,
and handed to the run queue.
"""
