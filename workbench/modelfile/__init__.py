"""The model file format: scikit-learn estimators stored with skops, never pickle.

Loading trusts only an explicit allowlist of types (``TRUSTED_TYPES``) and verifies the
file's sha256 first, so a changed byte or a pickled payload is refused instead of run.
"""

from workbench.modelfile.skops_io import TRUSTED_TYPES, dump_model, load_model, loads_model

__all__ = ["TRUSTED_TYPES", "dump_model", "load_model", "loads_model"]
