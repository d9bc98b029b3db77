"""REST API v1: the same services and record-level rules as the workspace, for other systems."""
