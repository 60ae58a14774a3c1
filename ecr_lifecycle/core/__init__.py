"""The pure core: policy model, validation, rendering, config, templates, preview, reports.

Nothing under this package may import cdktf, boto3, botocore or networking modules.
"""
