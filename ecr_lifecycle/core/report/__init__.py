"""Plain-language accounts of policies and of what changes between two of them."""
