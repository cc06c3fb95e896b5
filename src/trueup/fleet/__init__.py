"""Fleets: groups of databases, discovery, concurrent audits, findings."""
