"""Terraform adapters (subprocess): synthesize through the app's ``main.py`` and plan each stack."""
