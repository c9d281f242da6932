"""Every warehouse table, named once. Stages read and write these names only.

The warehouse is the interface between stages. Tables marked TEMP live only for the
run (in memory): they hold full mobile and photo ID numbers, which never reach the
warehouse file or the published folder. Persistent tables keep identifiers as a masked
form (last four characters) and a keyed hash (equality without the number itself).
"""
from __future__ import annotations

from pathlib import Path

# the warehouse file a run keeps in its output folder, unless told another (`--db`)
WAREHOUSE_FILE = "jaanch.duckdb"


def warehouse(out: str | Path, db: str | Path | None = None) -> Path:
    """The warehouse of the run publishing into `out`: `db`, else OUT/jaanch.duckdb."""
    return Path(db) if db else Path(out) / WAREHOUSE_FILE

# -- ingest: every column as text, plus where each row came from ---------------------
RAW = {
    "registrations": "raw_registrations",  # TEMP; + source_file, row_number
    "appointments": "raw_appointments",  # TEMP; + source_file, row_number
    "vaccinations": "raw_vaccinations",  # TEMP; + source_file, row_number
}

# raw_rejects (TEMP): source_file, row_number, raw_line, reason — lines that are not rows
RAW_REJECTS = "raw_rejects"

# -- validate: typed, accepted rows ---------------------------------------------------
# registrations_pii (TEMP): beneficiary_reference_id, name, gender, birth_year INTEGER,
#   mobile_number, photo_id_type, photo_id_number, state_name, district_name, pincode,
#   registered_at TIMESTAMP
REGISTRATIONS_PII = "registrations_pii"
# registrations: as registrations_pii, with mobile_number/photo_id_number replaced by
#   mobile_masked, mobile_key, photo_id_masked, photo_id_key; every night's, kept across
#   nights (as are appointments and vaccinations)
REGISTRATIONS = "registrations"
# appointments: appointment_id, beneficiary_reference_id, center_id BIGINT, center_name,
#   district_name, session_date DATE, slot, dose INTEGER, vaccine, booked_at TIMESTAMP,
#   status ('Booked' | 'Cancelled' | 'Completed' | 'No-show')
APPOINTMENTS = "appointments"
# vaccinations: certificate_id, beneficiary_reference_id, dose INTEGER, vaccine,
#   dose_date DATE, center_id BIGINT
VACCINATIONS = "vaccinations"
# night_registrations, night_appointments, night_vaccinations (TEMP): this night's accepted
#   rows, as registrations / appointments / vaccinations below, before pipelines.merge
#   folds them into the warehouse
NIGHT = {
    "registrations": "night_registrations",
    "appointments": "night_appointments",
    "vaccinations": "night_vaccinations",
}
# photo_id_parts: bid (beneficiary_reference_id as BIGINT), part ('head' | 'deletion'),
#   part_key — keyed hashes of a photo ID number's first four characters and of the number
#   with each character deleted (linkage.identifiers; made by validate.photo_id_parts)
PHOTO_ID_PARTS = "photo_id_parts"
# changed_registrations (TEMP): beneficiary_reference_id of every registration this night
#   added, changed or removed; `change` ('new' | 'changed' | 'removed')
CHANGED_REGISTRATIONS = "changed_registrations"
# changed_activity (TEMP): beneficiary_reference_id on the old and the new row of every
#   booking or dose this night added, changed or removed; `source` ('appointments' |
#   'vaccinations'), so that the rules re-run only for the people it touched
CHANGED_ACTIVITY = "changed_activity"
# quarantine: source_file, row_number BIGINT, raw_values (JSON text, identifiers masked), reason
QUARANTINE = "quarantine"

# -- linkage ----------------------------------------------------------------------------
# name_features: one row per distinct name ever seen (name_id, name, features); kept
#   across nights, so a name is normalised once
NAME_FEATURES = "name_features"
# registrations_norm: one row per registration, normalised fields for linkage; rid is
#   a small integer id that pair tables carry (linkage.normalise); kept across nights
REGISTRATIONS_NORM = "registrations_norm"
# candidate_pairs: id_l, id_r (rids, the lower registration id on the left),
#   blocking_keys (bitmask of blocking rules); kept across nights
CANDIDATE_PAIRS = "candidate_pairs"
# scored_pairs: every candidate pair's rid_l, rid_r, match_weight, linked, household,
#   other_person; kept across nights, read by clustering
SCORED_PAIRS = "scored_pairs"
# pair_comparisons: bid_l < bid_r (registration ids as BIGINT), a level per field; every
#   candidate pair ever compared, kept across nights so a pair is compared once
PAIR_COMPARISONS = "pair_comparisons"
# random_pair_comparisons: the same for the pseudo-random pairs that teach the model u
RANDOM_PAIR_COMPARISONS = "random_pair_comparisons"
# pair_scores: id_l, id_r, match_weight DOUBLE, match_probability DOUBLE,
#   one <field>_level TINYINT and <field>_weight DOUBLE per comparison; linked BOOLEAN
PAIR_SCORES = "pair_scores"
# registration_doses: rid, doses_mask (a bit per dose number held); registration_live_bookings:
#   rid, center_id, session_date of each booking Booked or No-show; both kept across
#   nights, for the dose and booking levels of pairs (linkage.histories)
REGISTRATION_DOSES = "registration_doses"
REGISTRATION_LIVE_BOOKINGS = "registration_live_bookings"
# clusters: beneficiary_reference_id, cluster_id (every registration, singletons too)
CLUSTERS = "clusters"
# cluster_changes: run_id, change ('merged' | 'split'), cluster_id, other_cluster_id —
#   when clusters of two or more merge (the older id survives) or one splits; kept
CLUSTER_CHANGES = "cluster_changes"

# -- rules ------------------------------------------------------------------------------
# rule_hits: rule_id, entity_kind ('cluster' | 'mobile' | 'photo_id'), entity_id, facts (JSON)
RULE_HITS = "rule_hits"
# rule_catalog: rule_id, title, severity, entity_kind, description, params (as run)
RULE_CATALOG = "rule_catalog"
# centres (TEMP, built by each rules run): center_id, center_name — each centre's most
#   used spelling in appointments, the one lookup over a whole table that rules and
#   evidence read
CENTRES = "centres"
# rule_state_registrations: beneficiary_reference_id, cluster_id, mobile_key, photo_id_key
#   as the last rules run saw them; rule_state_centres: center_id, center_name (each
#   centre's most used spelling then); rule_state_run: fingerprint of the rules, weights
#   and settings run. Kept, so that a delta night re-runs the rules for what moved only
RULE_STATE_REGISTRATIONS = "rule_state_registrations"
RULE_STATE_CENTRES = "rule_state_centres"
RULE_STATE_RUN = "rule_state_run"

# -- published (the contract's outputs, same names) ------------------------------------
CLUSTER_MEMBERS = "cluster_members"
FLAGGED_CLUSTERS = "flagged_clusters"
FLAGGED_IDENTIFIERS = "flagged_identifiers"
EVIDENCE = "evidence"
RUN_SUMMARY = "run_summary"
# runs: run_id, started, finished, status ('running' | 'succeeded' | 'failed' | 'killed'),
#   exports, reason, counts (JSON), settings (JSON); one row per run, kept across nights
RUNS = "runs"

# -- review (pipelines/review.py): created if missing, never dropped or rebuilt by a run --
# review_decisions: cluster_id, decision ('confirmed' | 'dismissed' | 'needs_field_visit'),
#   reviewer, note, decided_at TIMESTAMP (the official's), imported_at TIMESTAMP (UTC),
#   member_ids VARCHAR[] and rule_ids VARCHAR[] (the cluster as imported: what a
#   dismissal saw); unique on cluster_id, decision, reviewer, decided_at
REVIEW_DECISIONS = "review_decisions"
# published_clusters: cluster_id, first_run_id, first_published TIMESTAMP — every cluster
#   id ever published (cluster_members or flagged_clusters), for checking decisions
PUBLISHED_CLUSTERS = "published_clusters"
