"""kg: a linked-data knowledge graph of the 1978-79 war on Vietnam's Southwestern border.

The pipeline is ``load -> reason -> validate -> build``; each stage is a module with plain
functions. The SPARQL endpoint is built by :func:`kg.endpoint.create_app`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
