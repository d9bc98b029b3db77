"""Web plumbing shared by every surface: headers, errors, redirects, request context."""
