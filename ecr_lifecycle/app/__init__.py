"""Use cases: one function per user-facing job, typed inputs in, typed immutable results out.

The command line, the demo and the benchmarks call these and nothing below them. Nothing here
reads files, the network or AWS: adapters (``ecr_lifecycle.aws``, the CLI's file readers) bring
the inputs, renderers (``ecr_lifecycle.views``) turn the results into text.

    validate_policy / validate_config   policies.py, config.py
    render_repository                   config.py
    preview_fleet, check_guards         preview.py
    review_change                       review.py
    detect_drift                        drift.py
    adopt_registries                    adopt.py
"""
