"""Feedback: drift and decay of what is served, the guardrails on retraining, alerts."""
