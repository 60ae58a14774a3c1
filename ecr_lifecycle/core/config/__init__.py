"""The fleet config file: targets, repositories (by name and pattern), defaults, creation templates."""
