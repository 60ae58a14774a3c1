"""Images in use: where each running or rollback-ready image is referenced, gathered from workloads."""
