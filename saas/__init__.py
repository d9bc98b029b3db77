"""Atelier: client management for design studios."""
