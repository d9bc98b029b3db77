"""The studio's own data: the kinds of value its custom fields and form questions hold (types.py)."""
