"""trueup: keep a fleet of databases true to their declared schema."""

__version__ = "0.1.0"
