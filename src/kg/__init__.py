"""kg: a linked-data knowledge graph of the 1978-79 war on Vietnam's Southwestern border.

The pipeline is ``load -> reason -> validate -> build``; each stage is a module with plain
functions. The SPARQL endpoint is built by :func:`kg.endpoint.create_app`.
"""

import logging
import sys
import warnings
from collections.abc import Callable
from contextvars import ContextVar
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]


#: The file rdflib is parsing, as the user named it (set by kg.load.parse_file), so that an
#: ill-typed literal it meets is said at its place.
reading: ContextVar[str | None] = ContextVar("kg_reading", default=None)
#: Where a literal read by another parser than rdflib's was written: (lexical form, datatype
#: IRI) -> "FILE:LINE" or None (set by the build, which parses with pyoxigraph, and so meets
#: an ill-typed literal only when rdflib converts it later, with no file being parsed).
locating: ContextVar[Callable[[str, str], str | None] | None] = ContextVar(
    "kg_locating", default=None)


def _parser_line() -> int | None:
    """The line of the literal rdflib's Turtle or TriG parser is reading, where it is on the
    stack, else None (the other parsers say no place). Counted from the parser's position in
    its text: the line count it keeps grows again each time it backtracks over a newline."""
    from rdflib.plugins.parsers.notation3 import SinkParser

    frame = sys._getframe(2)
    for _ in range(40):  # the parser is a few calls above Literal's conversion
        if frame is None:
            return None
        if frame.f_code.co_name == "nodeOrLiteral" \
                and isinstance(frame.f_locals.get("self"), SinkParser):
            text, at = frame.f_locals.get("argstr"), frame.f_locals.get("i")
            if isinstance(text, str) and isinstance(at, int):
                return text.count("\n", 0, at) + 1
            return None
        frame = frame.f_back
    return None


class _IllTypedLiterals(logging.Filter):
    """rdflib logs a warning with a traceback for every ill-typed literal it reads
    (``"1979-13-45"^^xsd:date``); a traceback is never what a user should see. The record
    becomes one line naming the literal and why, at its place when a file of the user is being
    parsed (``bad.ttl:3: ill-typed literal …``, the line where the parser keeps one: Turtle and
    TriG), or where :data:`locating` finds it written (the build's files, which pyoxigraph
    parsed); the shapes report it where they constrain its property (``kg validate`` and
    ``/validate`` then fail). Each literal is said once per process and place, not once for
    every time rdflib converts it (four times in one ``kg validate``): a conversion outside a
    parse, with no place, is said only for a literal not said before."""

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
            elif why.startswith("Parsing weird boolean"):  # rdflib's warning, raised (below)
                why = "a boolean is true, false, 1 or 0"
            tb = record.exc_info[2]
            while tb is not None and lexical is None:  # rdflib's own name for the literal
                lexical = tb.tb_frame.f_locals.get("lexical")
                tb = tb.tb_next
        datatype = message.partition("Datatype=")[2].partition(",")[0] or "?"
        key = (lexical, datatype, why)
        file = reading.get()
        place = None if file is None else (file, _parser_line())
        locate = locating.get() if place is None and isinstance(lexical, str) else None
        found = locate(lexical, datatype) if locate is not None else None
        if found:
            file, _, line = found.rpartition(":")
            place = (file, int(line))
        if (*key, place) in self._said or (place is None and key in self._said):
            return False
        if len(self._said) < 10_000:  # a bound on what a long-running server remembers
            self._said.update((key, (*key, place)))
        where = "" if place is None else f"{file}:{place[1]}: " if place[1] else f"{file}: "
        record.msg = "%sill-typed literal %s^^<%s>: %s"
        record.args = (where, f'"{lexical}"' if isinstance(lexical, str) else "(a value)",
                       datatype, why)
        record.exc_info = record.exc_text = None
        return True


logging.getLogger("rdflib.term").addFilter(_IllTypedLiterals())
# rdflib reads a boolean it cannot ("yes"^^xsd:boolean) as false, with a Python warning that
# shows the user its source line, and writes the literal "false": the text the file has is
# lost, and nothing reports it. Raised instead (only that warning, only rdflib's), it makes
# the converter fail as for any ill-typed literal: rdflib logs it, the filter above says it in
# one line at its place, and the literal keeps its text, which the QC query
# ill-typed-literal reports (as it does in the build, whose parser keeps the text).
warnings.filterwarnings("error", message=r"Parsing weird boolean", category=UserWarning,
                        module=r"rdflib\.term")
