"""The citation index: a fast view of what the WARCs hold. Nothing outside this package writes SQL."""
from .store import Index, open_index

__all__ = ["Index", "open_index"]
