"""Fixtures for the rule tests; the warehouse builders live in tests/warehouse_fixtures.py."""
import pytest

from warehouse_fixtures import hits, key, make_warehouse


@pytest.fixture
def warehouse():
    """The builder: warehouse(registrations, appointments, vaccinations, people, pairs)."""
    return make_warehouse


@pytest.fixture
def id_key():
    """The fixture's stand-in for the keyed hash of a mobile or photo ID number."""
    return key


@pytest.fixture
def rule_hits():
    """The runner: rule_hits(con, rule_id, params) -> {entity_id: facts}."""
    return hits
