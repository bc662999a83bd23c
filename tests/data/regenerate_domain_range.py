"""Rewrite shapes/domain-range.ttl from ontology/kg.ttl (run after changing a domain or range):

    .venv/bin/python tests/data/regenerate_domain_range.py
"""

from pathlib import Path

from rdflib import Graph

from kg.validate import domain_range_shapes

REPO = Path(__file__).resolve().parents[2]
HEADER = """\
# Generated from ontology/kg.ttl by kg.validate.domain_range_shapes: the ontology's rdfs:domain
# and rdfs:range axioms on kgo: properties, read as constraints (the subject of a property, or of
# any of its sub-properties, is an instance of the domain; its value an instance of the range).
# Do not edit: rerun tests/data/regenerate_domain_range.py. tests/test_shapes.py checks it is
# current and that every shape here fires.

"""


def main() -> None:
    shapes = domain_range_shapes(Graph().parse(REPO / "ontology" / "kg.ttl"))
    text = shapes.serialize(format="turtle")
    (REPO / "shapes" / "domain-range.ttl").write_text(HEADER + text, encoding="utf-8")


if __name__ == "__main__":
    main()
