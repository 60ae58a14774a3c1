"""Shared, parameterised policy templates (``policies/*.yaml``) and their expansion."""
