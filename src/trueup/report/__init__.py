"""Renderers of audit results: text, JSON, JUnit, HTML."""
