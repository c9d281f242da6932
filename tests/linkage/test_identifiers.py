import duckdb
import numpy as np
import pytest

from linkage.identifiers import (aadhaar_valid, clean_mobile, mask, photo_id_valid, sql_clean_mobile,
                                 sql_mask, verhoeff_check_digit, verhoeff_check_digits,
                                 verhoeff_state, verhoeff_valid)


def test_verhoeff_check_digit_makes_the_number_valid_and_catches_one_wrong_digit():
    body = "23456789012"
    number = body + str(verhoeff_check_digit(body))
    assert verhoeff_valid(number) and aadhaar_valid(number)
    wrong = number[:5] + str((int(number[5]) + 1) % 10) + number[6:]
    assert not verhoeff_valid(wrong)
    swapped = number[:3] + number[4] + number[3] + number[5:]
    assert number == swapped or not verhoeff_valid(swapped)  # adjacent transpositions too


def test_vectorised_verhoeff_matches_the_reference():
    rng = np.random.default_rng(3)
    body = rng.integers(0, 10, size=(500, 11)).astype(np.uint8)
    expected = [verhoeff_check_digit("".join(map(str, row))) for row in body]
    assert verhoeff_check_digits(body).tolist() == expected
    full = np.hstack([body, verhoeff_check_digits(body)[:, None]])
    assert (verhoeff_state(full, check_digit_present=True) == 0).all()


@pytest.mark.parametrize("raw, clean", [
    ("+91 98765 43210", "9876543210"), ("09876543210", "9876543210"),
    ("919876543210", "9876543210"), ("9876543210", "9876543210"),
    ("5876543210", None), ("12345", None), ("", None),
])
def test_mobile_cleaning_in_python_and_sql_agree(raw, clean):
    assert clean_mobile(raw) == clean
    sql = duckdb.sql(f"select {sql_clean_mobile('x')} from (select ? as x)", params=[raw])
    assert sql.fetchall()[0][0] == clean


def test_photo_id_shapes():
    assert photo_id_valid("PAN Card", "ABCPD1234E")
    assert not photo_id_valid("PAN Card", "ABC1234567")
    assert photo_id_valid("Voter ID", "ABC1234567")
    assert not photo_id_valid("Aadhaar Card", "123456789012")  # starts with 1


def test_masking_keeps_only_the_last_four_characters():
    assert mask("9876543210") == "******3210"
    assert mask("") == "" and mask(None) is None
    sql = duckdb.sql(f"select {sql_mask('x')} from (select '9876543210' as x)").fetchall()
    assert sql[0][0] == "******3210"
