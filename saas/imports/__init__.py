"""Bringing clients and their contacts in from CSV and XLSX files: mapping, preview, duplicates, a job, undo."""
