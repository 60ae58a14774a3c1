"""CDKTF shell: turns the core's per-target plans into Terraform. The only place cdktf is imported
(with ``main.py``).

One module per Terraform resource or data source we emit, each a small typed construct
over cdktf's ``TerraformResource``/``TerraformDataSource``/``TerraformProvider`` (the
prebuilt AWS bindings cost ~20 s and ~450 MB per synth). ``terraform validate`` in the
tests proves them against the real provider schema.
"""
