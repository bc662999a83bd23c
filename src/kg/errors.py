"""The exceptions of kg, and what each means to a shell and to an HTTP client.

::

    KGError                      exit 2   HTTP 500
    +-- ConfigError              exit 2   HTTP 500   a setting has a bad value
    +-- InputError               exit 2   HTTP 400   bad input (a file, a query, an upload)
    |   +-- ParseError           exit 2   HTTP 400   RDF or SPARQL that does not parse (file:line)
    |   +-- QueryTooComplex      exit 2   HTTP 400   nesting deeper than max_query_depth
    +-- UpdateRefused            exit 2   HTTP 403   SPARQL Update on a read-only service
    +-- NotAcceptable            exit 2   HTTP 406   no result format the client accepts
    +-- UnsupportedMediaType     exit 2   HTTP 415   a request body type we do not read
    +-- PayloadTooLarge          exit 2   HTTP 413   a body over max_body_bytes
    +-- PreconditionFailed       exit 2   HTTP 412   an If-Match no current answer meets
    +-- QueryTimeout             exit 2   HTTP 503   a query ran past query_timeout
    |   +-- RemoteTimeout        exit 2   HTTP 503   a remote store did not answer in time
    +-- RemoteError              exit 2   HTTP 502   a remote store is unreachable or failed
    +-- BuildError               exit 1   HTTP 500   reasoning or validation stopped the build
        +-- InconsistentGraph    exit 1   HTTP 422   owlrl error triples or owl:Nothing members
        +-- ValidationFailed     exit 1             SHACL violations

``kg validate`` exits 0 when the data conforms, 1 on violations, 2 on bad input.
"""

from __future__ import annotations


class KGError(Exception):
    """Base class: every error kg raises on purpose."""

    exit_code = 2
    http_status = 500

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}" + (f", column {self.column}" if self.column else "") + ": "
        return where + self.message


class ConfigError(KGError):
    """A setting or parameter with a bad value. ``parameter``: the name of the function's
    parameter it came through, where a command line names it as an option (``batch`` is
    ``--batch``): the check stays in the function, the command says which option."""

    def __init__(self, message: str, *, parameter: str | None = None, **where):
        super().__init__(message, **where)
        self.parameter = parameter


class InputError(KGError):
    http_status = 400


class ParseError(InputError):
    pass


class QueryTooComplex(InputError):
    pass


class UpdateRefused(KGError):
    http_status = 403


class NotAcceptable(KGError):
    http_status = 406


class UnsupportedMediaType(KGError):
    http_status = 415

    def __init__(self, message: str, *, accept: str | None = None,
                 accept_encoding: str | None = None, **where) -> None:
        super().__init__(message, **where)
        #: the answer's fields saying what the resource takes: ``Accept``, the media types,
        #: ``Accept-Encoding``, the content codings (RFC 9110, 15.5.16)
        self.fields = {name: value for name, value in (("Accept", accept),
                                                       ("Accept-Encoding", accept_encoding))
                       if value}


class PayloadTooLarge(KGError):
    http_status = 413


class PreconditionFailed(KGError):
    http_status = 412


class QueryTimeout(KGError):
    http_status = 503


class RemoteTimeout(QueryTimeout):
    """The remote store did not answer within the time allowed."""


class RemoteError(KGError):
    """The remote store is unreachable, refused us, or answered with an error."""

    http_status = 502


class BuildError(KGError):
    exit_code = 1


class InconsistentGraph(BuildError):
    http_status = 422


class ValidationFailed(BuildError):
    pass
