"""One exit-code table for every command (documented in docs/commands.md)."""

OK = 0  # done; for validate: valid (warnings allowed)
INVALID = 1  # invalid input: policy, config, templates or inventory content
USAGE = 2  # usage error: bad flags, unreadable or non-JSON/YAML file; output that could not be written
GUARD = 3  # a safety guard tripped (in-use images, --max-expire-percent)
CHANGES = 4  # changes or drift found (only with --detailed-exitcode, or for drift)
