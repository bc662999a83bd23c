"""Shared helpers for the graph tests: the repository's paths and one build per test session."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ARTICLE = SHARED / "sources" / "article-part1.txt"


def project_copy(dest: Path) -> Path:
    """Copy ontology/, graph/ and shapes/ to ``dest`` (so a test can change them) and return it."""
    for name in ("ontology", "graph", "shapes"):
        shutil.copytree(REPO / name, dest / name)
    return dest


def settings_for(root: Path, build_dir: Path | None = None) -> dict:
    from kg.settings import resolve

    return resolve(overrides={"root": root, "build_dir": build_dir or root / "build"}, environ={})


@functools.cache
def built_dataset(build_dir: str) -> Path:
    """Build the real project into ``build_dir`` once per session."""
    from kg.build import build

    return build(settings_for(REPO, Path(build_dir))).dataset
