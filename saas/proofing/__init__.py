"""Design proofing: draft versions, their reviewers, pins and comments, and the client's decisions."""
