"""Visits at clients' sites: scheduling by the office, and what field staff record there, often offline."""
