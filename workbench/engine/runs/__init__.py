"""Runs: the queue, the pipelines, executing a run, its task cache and logs, reproduce.

A run is one execution of a pipeline on the training window; this stage turns a trigger
into a finished run and its records.
"""
