from __future__ import annotations

import pytest

from tandem.casework.support.tests.factories import new_scene
from tests.factories import SiteFactory


@pytest.fixture
def scene(db):
    """A site with three providers (Bridgeway, whose team the tests mostly act as;
    Northside; Harbor Recovery, a 42 CFR Part 2 programme), police, a prosecutor's and a
    defender's office, the project office and an evaluator, under a Seattle-like policy."""
    return new_scene(SiteFactory())
