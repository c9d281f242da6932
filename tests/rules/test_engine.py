"""The rule engine: loading validates each file, running binds parameters and writes hits."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pipelines import tables
from rules.engine import RULE_CATALOG, RuleError, load_rules, run_rules

GOOD = '''
id = "{id}"
title = "Registered in two districts"
severity = "low"
entity = "cluster"
description = "A person registered in more than one district."
sql = """
select c.cluster_id as entity_id,
       {{'districts': list(distinct r.district_name order by r.district_name)}} as facts
from registrations r join clusters c using (beneficiary_reference_id)
group by c.cluster_id
having count(distinct r.district_name) >= $min_districts
"""

[params.min_districts]
type = "integer"
default = 2
description = "Districts needed."
'''


def _write(folder: Path, text: str, name: str = "two_districts") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(textwrap.dedent(text).replace("{id}", name)
                    .replace("{{", "{").replace("}}", "}"))
    return path


def test_shipped_rules_load_with_plain_metadata():
    rules = {r.id: r for r in load_rules()}
    assert set(rules) == {"multi_booking", "repeat_dose1", "early_dose", "shared_photo_id",
                          "no_show_certificate", "tout_mobile"}
    assert rules["shared_photo_id"].entity == "photo_id"
    assert rules["tout_mobile"].entity == "mobile"
    assert rules["multi_booking"].values() == {"days": 7}
    assert all(len(r.description) > 80 and r.title for r in rules.values())


def test_adding_a_rule_is_adding_a_file(tmp_path, warehouse):
    _write(tmp_path, GOOD)
    (rule,) = load_rules(tmp_path)
    con = warehouse([{"id": "10000000000001"}, {"id": "10000000000002", "district_name": "Gaya"}],
                    people=[["10000000000001", "10000000000002"]])
    assert run_rules(con, [rule]) == 1
    row = con.execute(f"select rule_id, entity_kind, entity_id, facts from {tables.RULE_HITS}").fetchone()
    assert row[:3] == ("two_districts", "cluster", "C10000000000001")
    assert json.loads(row[3]) == {"districts": ["Gaya", "Patna"]}
    assert run_rules(con, [rule], {"two_districts": {"min_districts": 3}}) == 0
    catalog = con.execute(f"select rule_id, severity, params from {RULE_CATALOG}").fetchone()
    assert catalog == ("two_districts", "low", '{"min_districts": 3}')


@pytest.mark.parametrize("mutate, message", [
    (lambda t: t.replace('severity = "low"\n', ""), "missing key(s): severity"),
    (lambda t: t.replace('severity = "low"', 'severity = "grave"'), "severity must be one of"),
    (lambda t: t.replace('entity = "cluster"', 'entity = "person"'), "entity must be one of"),
    (lambda t: t.replace('title =', 'colour = "red"\ntitle ='), "unknown key(s): colour"),
    (lambda t: t.replace("$min_districts", "$min_district"), "undeclared parameter(s): min_district"),
    (lambda t: t.replace(">= $min_districts", ">= 2"), "declared but unused: min_districts"),
    (lambda t: t.replace("default = 2", 'default = "2"'), "expected integer"),
    (lambda t: t.replace("registrations r", "registration r"), "does not run on the warehouse"),
    (lambda t: t.replace("as entity_id", "as cluster"), "exactly (entity_id, facts)"),
    (lambda t: t.replace("as facts", "as facts, 1 as extra"), "exactly (entity_id, facts)"),
    (lambda t: t.replace('"""\n\n[params', '; drop table registrations\n"""\n\n[params'),
     "exactly one SELECT"),
    (lambda t: t.replace('"A person registered in more than one district."', "3"),
     "description must be non-empty text"),
    (lambda t: t.replace('[params.min_districts]', '[params.min_districts'), "two_districts.toml"),
])
def test_a_malformed_rule_fails_at_load_naming_its_file(tmp_path, mutate, message):
    path = _write(tmp_path, mutate(GOOD))
    with pytest.raises(RuleError) as err:
        load_rules(tmp_path)
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)


def test_the_id_must_be_the_file_name(tmp_path):
    _write(tmp_path, GOOD.replace('"{id}"', '"other"'))
    with pytest.raises(RuleError, match="must be the file name"):
        load_rules(tmp_path)


def test_overrides_are_checked(tmp_path, warehouse):
    _write(tmp_path, GOOD)
    rules = load_rules(tmp_path)
    con = warehouse([{"id": "10000000000001"}])
    with pytest.raises(ValueError, match="expected integer"):
        run_rules(con, rules, {"two_districts": {"min_districts": "2"}})
    with pytest.raises(ValueError, match="unknown parameter 'days'"):
        run_rules(con, rules, {"two_districts": {"days": 2}})
    with pytest.raises(ValueError, match="unknown rule"):
        run_rules(con, rules, {"nope": {}})


def test_parameters_are_bound_values_not_sql_text(tmp_path, warehouse):
    text = GOOD.replace("$min_districts", "length($district)").replace(
        "[params.min_districts]\ntype = \"integer\"\ndefault = 2",
        "[params.district]\ntype = \"text\"\ndefault = \"ab\"")
    _write(tmp_path, text)
    rules = load_rules(tmp_path)
    con = warehouse([{"id": "10000000000001"}])
    hostile = "x'); drop table registrations; --"
    run_rules(con, rules, {"two_districts": {"district": hostile}})
    assert con.execute(f"select count(*) from {tables.REGISTRATIONS}").fetchone()[0] == 1


def test_a_rule_returning_an_entity_twice_is_refused(tmp_path, warehouse):
    _write(tmp_path, GOOD.replace("group by c.cluster_id\nhaving count(distinct r.district_name) "
                                  ">= $min_districts",
                                  "group by c.cluster_id, r.district_name\n"
                                  "having count(*) >= $min_districts - 1"))
    rules = load_rules(tmp_path)
    con = warehouse([{"id": "10000000000001"}, {"id": "10000000000002", "district_name": "Gaya"}],
                    people=[["10000000000001", "10000000000002"]])
    with pytest.raises(RuleError, match="one row per flagged entity"):
        run_rules(con, rules)
