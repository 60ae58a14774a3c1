"""Structural checks: the document's shape. Their logic is the reader in ``check.py``, which
walks the document once and reports these codes where it finds the problem."""

from __future__ import annotations

from ecr_lifecycle.core.policy.findings import API_DOC, Check, Scope

S = Scope.STRUCTURE

E100 = Check("E100", "Policy text is not a JSON object", "OBS", S, docs=API_DOC)
E101 = Check("E101", "Missing or non-list 'rules'", "OBS", S)
E102 = Check("E102", "Unknown property", "OBS", S, "moto-modelled schema error; we reject unknown keys (safer)")
E103 = Check("E103", "Explicit null value", "OBS", S)
E104 = Check("E104", "Wrong value type", "DOC", S)
E105 = Check("E105", "Missing required property", "DOC", S)
E106 = Check("E106", "Value not one of the allowed values", "DOC", S)
E107 = Check("E107", "Policy has no rules", "DER", S, "AWS's verdict on an empty 'rules' list is unknown; we reject it")
E108 = Check(
    "E108", "Duplicate key in a JSON object", "DER", S, "AWS's parser behaviour is unknown; we reject duplicates"
)

CHECKS = (E100, E101, E102, E103, E104, E105, E106, E107, E108)
