import numpy as np
import pytest

from linkage.name_compare import name_levels
from linkage.name_order import rotate_first_word, with_surname_first_read
from linkage.names import name_features


def read_both_ways(pairs: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    names = name_features([n for pair in pairs for n in pair])
    il, ir = np.arange(0, 2 * len(pairs), 2), np.arange(1, 2 * len(pairs), 2)
    level, sim = name_levels(names, names, il, ir)
    return level, with_surname_first_read(names, il, ir, level, sim)[0]


def test_rotate_first_word_moves_it_to_the_end():
    assert rotate_first_word(np.array(["gautam jyoti kumari", "ram"])) == [
        "jyoti kumari gautam", "ram"]


@pytest.mark.parametrize("a, b, at_least", [
    ("Rathore Annd", "ANAND RATHORE", 5),  # surname first, and a slip
    ("Gautam Jyoti Kumari", "J. K. Gautam", 4),  # surname first against initials
    ("J. K. Gautam", "Gautam Jyoti Kumari", 4),  # either side may be the one reordered
])
def test_a_name_typed_surname_first_is_read_the_other_way_too(a, b, at_least):
    before, after = read_both_ways([(a, b)])
    assert before[0] < at_least <= after[0]


def test_reading_the_other_way_never_lowers_a_level_nor_links_other_names():
    pairs = [("Sunita Devi", "Sunita Devi"), ("Sharma Ramesh", "Suresh Sharma"),
             ("Yadav Ram", "Shyam Yadav")]
    before, after = read_both_ways(pairs)
    assert (after >= before).all()
    assert after[1] <= 1 and after[2] <= 1  # another given name stays another person


@pytest.mark.parametrize("a, b", [
    ("Goel Pankaj Kumar", "Pankaj Kumar"),  # surname first on one, left out of the other
    ("Sohan Kumar", "Tiwari Sohan Kumar"),
    ("Mittal Suresh Kumar", "Sures"),  # and a slip in the given name
    ("Rajbhar Mukesh Singh", "मुकेश"),  # and the other in Devanagari
])
def test_a_surname_typed_first_and_left_out_elsewhere_is_the_same_first_name(a, b):
    before, after = read_both_ways([(a, b)])
    assert before[0] == 0 and after[0] == 3  # "same first name, surname kept or dropped"


@pytest.mark.parametrize("a, b", [
    ("Shyam Singh Trivedi", "Sunita Trivedi"),  # "Singh" is not "Sunita"
    ("Kusum Kumari Chopra", "Kuldeep Chopra"),
    ("Goel Pankaj Kumar", "Pawan Kumar"),  # another given name
])
def test_a_second_word_that_is_not_the_other_first_name_moves_nothing(a, b):
    before, after = read_both_ways([(a, b)])
    assert after[0] == before[0] == 0
