"""The ``kg`` command: parses options and calls the stage functions. No logic lives here.

Exit codes: 0 success (for ``validate``: the data conforms), 1 the graph failed reasoning or
validation, 2 bad input (a file that does not parse, a malformed query, a bad option).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg import __version__
from kg.errors import KGError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on usage errors: keep that, say it plainly
        self.print_usage(sys.stderr)
        self.exit(2, f"kg: error: {message}\n")


#: ``kg query --format``: kg query's own table and json, then the endpoint's formats
#: (:data:`kg.query.RESULT_FORMATS`; kg.query is not imported to build the parser).
QUERY_FORMATS = ("table", "json", "srj", "srx", "xml", "csv", "tsv", "turtle", "ntriples",
                 "rdfxml", "jsonld", "trig", "nquads")


def _setting_help(name: str) -> str:
    """An option's help from the settings table: what it does, its default, its variable."""
    from kg.settings import SETTINGS

    setting = next(s for s in SETTINGS if s.name == name)
    # argparse expands % in help texts.
    text = setting.help.replace("%", "%%")
    default = f"{setting.default:g}" if isinstance(setting.default, float) else setting.default
    return f"{text} Default {default}; KG_{name.upper()}."


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="kg", description="Build, validate, query and serve the kg knowledge graph.")
    p.add_argument("--version", action="version", version=f"kg {__version__}")
    p.add_argument("--root",
                   help="project folder (ontology/, graph/, shapes/); default: this checkout")
    p.add_argument("--build-dir", help="where the built dataset lives (default ROOT/build)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    b = sub.add_parser("build", help="load, reason, validate and write the dataset")
    b.add_argument("--reasoner", choices=("fast", "owlrl"),
                   help="OWL 2 RL reasoner: fast (default) or owlrl (the reference)")
    b.add_argument("--validator", choices=("fast", "pyshacl"),
                   help="SHACL engine: fast (default) or pyshacl (the reference)")

    v = sub.add_parser("validate",
                       help="validate data files (or the built graph) against the shapes")
    v.add_argument("files", nargs="*", metavar="FILE", help="RDF files; default: the built dataset")
    v.add_argument("--format", choices=("text", "turtle", "json", "github", "sarif"),
                   default="text",
                   help="text (default): the report for a reader; turtle: a SHACL "
                        "sh:ValidationReport; json: the results as JSON; github: one GitHub "
                        "Actions annotation per result, on its file and line; sarif: a SARIF "
                        "2.1.0 log (code scanning, editors)")
    v.add_argument("--validator", choices=("fast", "pyshacl"),
                   help="SHACL engine, as the build's: fast (default) or pyshacl (the "
                        "reference; the same results, slower)")
    v.add_argument("--with-project", action="store_true",
                   help="validate the files together with the project's graph/*.ttl, as "
                        "/validate?context=dataset does: a new file's passages and entities "
                        "are then found; a file named as one of graph/ stands in its place")

    q = sub.add_parser("query", help="run a SPARQL query over the built dataset (with inferences)")
    q.add_argument("query", nargs="?", help="the query text; '-' or absent: read stdin")
    q.add_argument("-f", "--file", help="read the query from this file (then give no query "
                                        "argument)")
    q.add_argument("--format", choices=QUERY_FORMATS, default="table", metavar="FORMAT",
                   help="table (default) or json (a list of rows, each value its lexical "
                        "form), or a format /sparql answers in, written as it writes it: for "
                        "SELECT and ASK srj (SPARQL JSON), srx or xml (SPARQL XML), and for "
                        "SELECT csv, tsv; for CONSTRUCT and DESCRIBE turtle, ntriples, "
                        "rdfxml (or xml), jsonld (or json), trig, nquads")

    sub.add_parser("stats", help="counts per class and named graph, authority-link coverage")

    lk = sub.add_parser("links", help="authority links (Wikidata, GeoNames, VIAF, LCNAF): "
                                      "export a sheet, import decisions, list links with their "
                                      "evidence, report coverage")
    lsub = lk.add_subparsers(dest="links_command", required=True, parser_class=_Parser)
    le = lsub.add_parser("export", help="one row per linkable entity, with its current links, "
                                        "for OpenRefine or a spreadsheet")
    le.add_argument("file", metavar="FILE.csv|FILE.tsv",
                    help="the sheet to write (its folder must exist); .tsv separates by tabs")
    le.add_argument("--unlinked", action="store_true", help="only entities without any link")
    le.add_argument("--type", metavar="CLASS", help="only instances of this class (e.g. Place)")
    le.add_argument("--bom", action=argparse.BooleanOptionalAction, default=None,
                    help="begin with a UTF-8 byte order mark, for Excel (default: for a .csv, "
                         "not for a .tsv)")
    li = lsub.add_parser("import", help="check every row, then add the links to graph/links.ttl "
                                        "atomically (nothing is written if any row is at fault)")
    li.add_argument("file", metavar="FILE.csv|FILE.tsv",
                    help="the sheet to read: an export with its authority_iri, relation, who, "
                         "when and note columns filled in")
    ll = lsub.add_parser("list", help="one row per stored link: who decided it, when, the "
                                      "evidence and the source its statement records")
    ll.add_argument("file", metavar="FILE.csv|FILE.tsv",
                    help="the sheet to write (its folder must exist); .tsv separates by tabs")
    ll.add_argument("--type", metavar="CLASS", help="only links of instances of this class")
    ll.add_argument("--bom", action=argparse.BooleanOptionalAction, default=None,
                    help="begin with a UTF-8 byte order mark, for Excel (default: for a .csv, "
                         "not for a .tsv)")
    lsub.add_parser("report", help="coverage per class and authority, conflicts, unlinked list")

    so = sub.add_parser("sources", help="the texts the graph cites: check the passages and "
                                        "citations against them, or number a new text")
    ssub = so.add_subparsers(dest="sources_command", required=True, parser_class=_Parser)
    sc = ssub.add_parser("check", help="passages, digests and citations against the texts "
                                       "(exit 1 on an error)")
    sc.add_argument("--sources", metavar="DIR", action="append",
                    help="where the texts are, as NAME.txt (default: ROOT/../shared/sources); "
                         "give it again for texts in several folders (the first that has a "
                         "text wins)")
    spp = ssub.add_parser("passages", help="print the Turtle of a new text's article and its "
                                           "numbered, digested passages, to complete")
    spp.add_argument("file", metavar="FILE.txt",
                     help="the text, UTF-8, its passages separated by blank lines")
    spp.add_argument("--name", help="the source's name, …/source/NAME (default: the file's)")
    spp.add_argument("--part", type=int, metavar="N", help="its part number in the series")

    sp = sub.add_parser("serve", help="build if needed, then serve the SPARQL endpoint")
    sp.add_argument("--dataset", metavar="FILE",
                    help="serve this RDF dataset file instead of the built graph (N-Quads, "
                         "TriG, Turtle, N-Triples, RDF/XML or JSON-LD, by its extension)")
    sp.add_argument("--host", help=_setting_help("host"))
    sp.add_argument("--port", type=int, help=_setting_help("port"))
    sp.add_argument("--workers", type=int, help=_setting_help("workers"))
    sp.add_argument("--query-timeout", type=float, metavar="SECONDS",
                    help=_setting_help("query_timeout"))
    sp.add_argument("--store", dest="store_url", metavar="URL",
                    help="forward queries to this remote SPARQL query endpoint instead of "
                         "loading the dataset (credentials: KG_STORE_USER, KG_STORE_PASSWORD)")

    pb = sub.add_parser("publish", help="load the built dataset into a remote store, replacing "
                                        "its named graphs, then compare the counts")
    pb.add_argument("--to", required=True, metavar="URL",
                    help="the store's Graph Store Protocol endpoint (e.g. Oxigraph's /store) "
                         "or SPARQL Update endpoint")
    pb.add_argument("--protocol", choices=("auto", "gsp", "update"), default="auto",
                    help="gsp: PUT each graph; update: DROP + INSERT DATA; auto (default): "
                         "update for URLs ending in /update, /statements, /sparql or "
                         "/sparql-auth, or a bare host; else gsp")
    pb.add_argument("--query-url", dest="store_url", metavar="URL",
                    help="the store's SPARQL query endpoint, to count what arrived (default: "
                         "found from --to for Oxigraph, Fuseki, GraphDB, Virtuoso)")
    pb.add_argument("--batch", type=int, default=10000, metavar="N",
                    help="triples per INSERT DATA request with --protocol update (default "
                         "10000)")
    # a missing subcommand is named by its choices, not by the attribute argparse keeps it in
    # ("the following arguments are required: links_command")
    for action in (sub, lsub, ssub):
        action.metavar = "{" + ",".join(action.choices) + "}"
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KGError as exc:
        option = getattr(exc, "parameter", None)  # named as the settings' options are
        where = f"option --{option.replace('_', '-')}: " if option else ""
        print(f"kg: error: {where}{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _settings(args: argparse.Namespace, *names: str) -> dict:
    from kg.settings import resolve

    cli = {n: getattr(args, n, None) for n in ("root", "build_dir", *names)}
    return resolve(cli=cli)


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "build":
        from kg.build import build
        from kg.load import shown_path

        result = build(_settings(args, "reasoner", "validator"), log=_log)
        print(shown_path(result.dataset))
        return 0
    if args.command == "validate":
        from kg.validate import error_output, validate_files, with_project

        try:
            settings = _settings(args, "validator")
            files = [Path(f) for f in args.files]
            if args.with_project:
                files = with_project(settings, files)
            report = validate_files(settings, files, log=_log,
                                    stand_in=args.with_project)
        except KGError as exc:  # also said on stderr (main); here in the format asked for
            sys.stdout.write(error_output(exc, args.format))
            raise
        text = {"text": report.as_text, "turtle": report.as_turtle, "json": report.as_json,
                "github": report.as_github, "sarif": report.as_sarif}
        sys.stdout.write(text[args.format]())
        return report.exit_code
    if args.command == "query":
        from kg.query import read_query, run_query

        text = read_query(args.query, args.file, sys.stdin)
        sys.stdout.write(run_query(_settings(args), text, args.format,
                                   source=args.file or "query", log=_log))
        return 0
    if args.command == "stats":
        from kg.stats import stats_text

        sys.stdout.write(stats_text(_settings(args)))
        return 0
    if args.command == "links":
        from kg import links

        if args.links_command == "export":
            n = links.export_links(_settings(args), Path(args.file), unlinked=args.unlinked,
                                   type_=args.type, bom=args.bom)
            _log(f"wrote {n} rows to {args.file}")
        elif args.links_command == "list":
            n = links.list_links(_settings(args), Path(args.file), type_=args.type, bom=args.bom)
            _log(f"wrote {n} rows to {args.file}")
        elif args.links_command == "import":
            sys.stdout.write(links.import_links(_settings(args), Path(args.file)).summary())
        else:
            report = links.links_report(_settings(args))
            sys.stdout.write(report.text)
            return report.exit_code
        return 0
    if args.command == "sources":
        from kg import sources

        if args.sources_command == "passages":
            sys.stdout.write(sources.passages_turtle(Path(args.file), args.name,
                                                     part=args.part))
            return 0
        root = Path(_settings(args)["root"])
        folders = ([Path(f) for f in args.sources] if args.sources
                   else [sources.default_sources_dir(root)])
        for folder in folders:
            if not folder.is_dir():
                # a text given for its folder (--sources DIR/article-part2.txt) is said so
                what = ("a file, not a folder of source texts (give the folder that holds "
                        "NAME.txt: --sources DIR)" if folder.is_file()
                        else "no such folder of source texts (give --sources DIR)")
                _log(f"kg: error: {folder}: {what}")
                return 2
        report = sources.check_sources(root, *folders)
        sys.stdout.write(report.as_text())
        return report.exit_code
    if args.command == "serve":
        from kg.serve import serve

        settings = _settings(args, "host", "port", "workers", "query_timeout", "store_url")
        if args.dataset and args.store_url:
            _log("kg: error: give either --dataset or --store, not both")
            return 2
        return serve(settings, dataset=args.dataset)
    if args.command == "publish":
        from kg.publish import publish

        # publish() checks --batch (before anything is built or sent); main() names the option
        result = publish(_settings(args, "store_url"), args.to, protocol=args.protocol,
                         batch=args.batch, log=_log)
        sys.stdout.write(result.summary())
        return 0
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
