"""Files: one storage service for every file, plus content checks."""
