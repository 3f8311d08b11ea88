"""The bundled sample site ("The Meridian Ledger") and its loopback servers, used by
`archiver demo` and the test suite instead of the internet."""
from .server import DemoSite, serve_forever

__all__ = ["DemoSite", "serve_forever"]
