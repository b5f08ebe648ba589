"""Promotion: decisions on model versions: approvals, the policy, veto windows.

The policy returns a decision and does nothing itself; the engine acts on it.
"""
