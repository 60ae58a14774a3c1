"""AWS adapters (boto3): thin shells that read the registry and hand plain data to the core."""
