"""Renderers: each result type of ``ecr_lifecycle.app`` as text, JSON or Markdown, in one place each."""
