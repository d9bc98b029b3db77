"""Taking lists out as CSV and XLSX: the list view as shown, streamed, large ones as a job; always audited."""
