"""Every warehouse table, named once. Stages read and write these names only.

The warehouse is the interface between stages. Tables marked TEMP live only for the
run (in memory): they hold full mobile and photo ID numbers, which never reach the
warehouse file or the published folder. Persistent tables keep identifiers as a masked
form (last four characters) and a keyed hash (equality without the number itself).
"""
from __future__ import annotations

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
#   mobile_masked, mobile_key, photo_id_masked, photo_id_key
REGISTRATIONS = "registrations"
# appointments: appointment_id, beneficiary_reference_id, center_id BIGINT, center_name,
#   district_name, session_date DATE, slot, dose INTEGER, vaccine, booked_at TIMESTAMP,
#   status ('Booked' | 'Cancelled' | 'Completed' | 'No-show')
APPOINTMENTS = "appointments"
# vaccinations: certificate_id, beneficiary_reference_id, dose INTEGER, vaccine,
#   dose_date DATE, center_id BIGINT
VACCINATIONS = "vaccinations"
# quarantine: source_file, row_number BIGINT, raw_values (JSON text, identifiers masked), reason
QUARANTINE = "quarantine"

# -- linkage ----------------------------------------------------------------------------
# registrations_norm (TEMP): one row per registration, normalised fields for linkage
REGISTRATIONS_NORM = "registrations_norm"
# candidate_pairs (TEMP): id_l < id_r, blocking_keys (bitmask of blocking rules)
CANDIDATE_PAIRS = "candidate_pairs"
# pair_scores: id_l, id_r, match_weight DOUBLE, match_probability DOUBLE,
#   one <field>_level TINYINT and <field>_weight DOUBLE per comparison; linked BOOLEAN
PAIR_SCORES = "pair_scores"
# clusters: beneficiary_reference_id, cluster_id (every registration, singletons too)
CLUSTERS = "clusters"

# -- rules ------------------------------------------------------------------------------
# rule_hits: rule_id, entity_kind ('cluster' | 'mobile' | 'photo_id'), entity_id, facts (JSON)
RULE_HITS = "rule_hits"
# rule_catalog: rule_id, title, severity, entity_kind, description, params (as run)
RULE_CATALOG = "rule_catalog"

# -- published (the contract's outputs, same names) ------------------------------------
CLUSTER_MEMBERS = "cluster_members"
FLAGGED_CLUSTERS = "flagged_clusters"
FLAGGED_IDENTIFIERS = "flagged_identifiers"
EVIDENCE = "evidence"
RUN_SUMMARY = "run_summary"
# runs: run_id, started, finished, status ('running' | 'succeeded' | 'failed'), exports,
#   reason, counts (JSON), settings (JSON); one row per run, kept across nights
RUNS = "runs"
