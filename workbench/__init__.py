"""Workbench: local-first MLOps pipeline automation."""

__version__ = "0.1.0"
