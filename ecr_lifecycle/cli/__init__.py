"""The command line: a thin shell over ``ecr_lifecycle.core``."""
