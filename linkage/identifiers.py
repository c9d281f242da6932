"""Mobile numbers and photo ID numbers: normalise, check, mask.

The SQL forms are used on whole tables in DuckDB; the Python forms serve the sample
generator and tests. Both follow ../shared/CONTRACT.md.
"""
from __future__ import annotations

import re

import numpy as np

# Verhoeff tables (dihedral group D5): Aadhaar's last digit is a Verhoeff check digit.
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 7, 6, 8, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]

PHOTO_ID_TYPES = (
    "Aadhaar Card", "Driving License", "PAN Card", "Passport", "Pension Passbook",
    "NPR Smart Card", "Voter ID", "Ration Card with Photo", "Unique Disability ID",
)
_PAN = re.compile(r"[A-Z]{5}[0-9]{4}[A-Z]")
_EPIC = re.compile(r"[A-Z]{3}[0-9]{7}")
# the contract asks for 12 digits and the check digit; real numbers also never start
# with 0 or 1, but an export need not follow UIDAI further than the contract does
AADHAAR_SHAPE = "[0-9]{12}"  # pipelines.expectations matches it too, vectorised
_AADHAAR = re.compile(AADHAAR_SHAPE)


def verhoeff_check_digit(digits: str) -> int:
    """The digit that makes `digits + d` pass the Verhoeff check."""
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[(i + 1) % 8][int(ch)]]
    return _INV[c]


_D_NP, _P_NP, _INV_NP = (np.array(t, dtype=np.int8) for t in (_D, _P, _INV))


def verhoeff_state(digit_rows: np.ndarray, check_digit_present: bool) -> np.ndarray:
    """The Verhoeff running state for each row of a digit matrix (most significant first),
    on whole arrays: 0 means valid when the row ends in its check digit."""
    c = np.zeros(len(digit_rows), dtype=np.int8)
    width, shift = digit_rows.shape[1], 0 if check_digit_present else 1
    for i in range(width):
        c = _D_NP[c, _P_NP[(i + shift) % 8, digit_rows[:, width - 1 - i]]]
    return c


def verhoeff_check_digits(digit_rows: np.ndarray) -> np.ndarray:
    """The check digit for each row of a digit matrix (vectorised verhoeff_check_digit)."""
    return _INV_NP[verhoeff_state(digit_rows, check_digit_present=False)].astype(np.uint8)


def verhoeff_valid(number: str) -> bool:
    if not number.isdigit():
        return False
    c = 0
    for i, ch in enumerate(reversed(number)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c == 0


def aadhaar_valid(number: str) -> bool:
    return bool(_AADHAAR.fullmatch(number)) and verhoeff_valid(number)


def photo_id_valid(id_type: str, number: str) -> bool:
    """Shape check by type; free-text types need only be non-empty."""
    if id_type == "Aadhaar Card":
        return aadhaar_valid(number)
    if id_type == "PAN Card":
        return bool(_PAN.fullmatch(number))
    if id_type == "Voter ID":
        return bool(_EPIC.fullmatch(number))
    return len(number) >= 4


def clean_photo_id(number: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", number or "").upper()


def clean_mobile(raw: str) -> str | None:
    """10 digits starting 6-9 after stripping spaces, dashes and a +91 / 91 / 0 prefix."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    digits = re.sub(r"^(\+91|0091|91(?=\d{10}$)|0(?=\d{10}$))", "", digits)
    return digits if re.fullmatch(r"[6-9][0-9]{9}", digits) else None


def mask(value: str | None) -> str | None:
    """`******1403`: only the last four characters survive."""
    if value is None or value == "":
        return value
    return "*" * max(len(value) - 4, 2) + value[-4:]


# SQL twins, applied to whole columns inside DuckDB.
def sql_clean_mobile(col: str) -> str:
    stripped = f"regexp_replace(coalesce({col}, ''), '[\\s\\-()]', '', 'g')"
    # DuckDB's RE2 has no lookahead: drop a prefix only when 10 digits remain after it
    no_prefix = (f"(case when regexp_full_match({stripped}, '(\\+91|0091)[0-9]{{10}}') "
                 f"then right({stripped}, 10) "
                 f"when regexp_full_match({stripped}, '(91|0)[0-9]{{10}}') then right({stripped}, 10) "
                 f"else {stripped} end)")
    return f"(case when regexp_full_match({no_prefix}, '[6-9][0-9]{{9}}') then {no_prefix} end)"


def sql_clean_photo_id(col: str) -> str:
    return f"nullif(upper(regexp_replace(coalesce({col}, ''), '[^A-Za-z0-9]', '', 'g')), '')"


def sql_mask(col: str) -> str:
    return (f"(case when {col} is null or {col} = '' then {col} "
            f"else repeat('*', greatest(length({col}) - 4, 2)) || right({col}, 4) end)")


# Keyed hashes: the warehouse keeps these instead of numbers, so equality (and a one-slip
# likeness, through the parts below) can still be tested on later nights without the number.
SECRET_VARIABLE = "jaanch_secret"


def set_secret(con, secret: str) -> None:
    """Make the hashing key available to the SQL below in this connection only (never stored)."""
    con.execute(f"set variable {SECRET_VARIABLE} = ?", [secret])


def sql_key(col: str) -> str:
    return f"left(sha256(getvariable('{SECRET_VARIABLE}') || {col}), 16)"


def sql_keyed_identifiers(mobile: str = "mobile_number", photo_id: str = "photo_id_number") -> str:
    """The warehouse's identifier columns in place of the numbers: each masked and keyed."""
    return (f"{sql_mask(mobile)} as mobile_masked, {sql_key(mobile)} as mobile_key, "
            f"photo_id_type, {sql_mask(photo_id)} as photo_id_masked, "
            f"{sql_key(photo_id)} as photo_id_key")


def sql_part_key(col: str) -> str:
    # a dozen per registration: a cheaper keyed hash, short enough to be stored inline
    return f"left(md5(getvariable('{SECRET_VARIABLE}') || {col}), 12)"


def sql_photo_id_parts(source: str, id_col: str = "beneficiary_reference_id",
                       number_col: str = "photo_id_number") -> str:
    """SELECT of (bid, part, part_key): keyed hashes of parts of each photo ID number.

    'head' is its first four characters. 'deletion' is the number itself and the number
    with each character deleted in turn: two numbers sharing a deletion are one keying
    slip apart (a wrong, missing, extra or swapped character) or two deletions apart.
    """
    n = number_col
    return f"""
        select {id_col}::bigint as bid, 'head' as part, {sql_part_key(f'left({n}, 4)')} as part_key
        from {source} where {n} is not null and {n} <> ''
        union all
        select {id_col}::bigint, 'deletion', {sql_part_key(
            f"case when i = 0 then {n} else left({n}, i - 1) || substr({n}, i + 1) end")}
        from {source} join range(0, 64) r(i) on i <= length({n})
        where {n} is not null and {n} <> ''"""
