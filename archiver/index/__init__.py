"""The citation index: a fast view of what the WARCs hold. Nothing outside this package writes SQL.
The same code runs on SQLite (one machine) and PostgreSQL (many crawl workers sharing one index)."""
from .store import Index, open_index

__all__ = ["Index", "open_index"]
