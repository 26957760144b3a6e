"""Drafts Thai public-service delegation agreements: YAML spec -> assembled agreement -> DOCX -> PDF."""

__version__ = "0.1.0"
