"""Fixtures shared by the test modules. Each gives what its name says."""

from __future__ import annotations

from pathlib import Path

import pytest
from kgtest import REPO, built_dataset


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Path:
    """The project built once per session into a temporary folder (never the user's build/)."""
    return built_dataset(str(tmp_path_factory.mktemp("build")))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
