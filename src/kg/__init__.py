"""kg: a linked-data knowledge graph of the 1978-79 war on Vietnam's Southwestern border.

The pipeline is ``load -> reason -> validate -> build``; each stage is a module with plain
functions. The SPARQL endpoint is built by :func:`kg.endpoint.create_app`.
"""

import logging
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]


class _IllTypedLiterals(logging.Filter):
    """rdflib logs a warning with a traceback for every ill-typed literal it reads
    (``"1979-13-45"^^xsd:date``); a traceback is never what a user should see. The record
    becomes one line naming the literal and why (the shapes report it where they constrain its
    property; ``kg validate`` and ``/validate`` then fail). Each literal is said once per
    process, not once for every time rdflib converts it (four times in one ``kg validate``)."""

    def __init__(self) -> None:
        super().__init__()
        self._said: set[tuple] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if not message.startswith("Failed to convert Literal lexical form to value"):
            return True
        lexical, why = None, "not a value of its datatype"
        if record.exc_info and record.exc_info[1] is not None:
            why = str(record.exc_info[1]) or why
            if why.startswith(("invalid literal for ", "could not convert ")):
                why = "not a value of its datatype"  # Python's wording for int() and float()
            tb = record.exc_info[2]
            while tb is not None and lexical is None:  # rdflib's own name for the literal
                lexical = tb.tb_frame.f_locals.get("lexical")
                tb = tb.tb_next
        datatype = message.partition("Datatype=")[2].partition(",")[0] or "?"
        key = (lexical, datatype, why)
        if key in self._said:
            return False
        if len(self._said) < 10_000:  # a bound on what a long-running server remembers
            self._said.add(key)
        record.msg = "ill-typed literal %s^^<%s>: %s"
        record.args = (f'"{lexical}"' if isinstance(lexical, str) else "(a value)", datatype,
                       why)
        record.exc_info = record.exc_text = None
        return True


logging.getLogger("rdflib.term").addFilter(_IllTypedLiterals())
