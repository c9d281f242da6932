import numpy as np

from linkage.cluster import components, split_chains


def test_components_join_linked_pairs():
    labels = components(5, np.array([0, 1]), np.array([1, 2]))
    assert labels[0] == labels[1] == labels[2]
    assert len({labels[0], labels[3], labels[4]}) == 3


def test_weak_link_does_not_fuse_two_families():
    # 0-1 strong, 2-3 strong, 1-2 weak link; 0 and 3 are known different (veto)
    li, lj, lw = np.array([0, 2, 1]), np.array([1, 3, 2]), np.array([20.0, 18.0, 7.0])
    labels = components(4, li, lj)
    assert len(set(labels)) == 1
    labels = split_chains(labels, (li, lj, lw), (np.array([0]), np.array([3])))
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[0] != labels[2]


def test_components_without_vetoes_are_untouched():
    li, lj, lw = np.array([0]), np.array([1]), np.array([10.0])
    labels = components(3, li, lj)
    assert (split_chains(labels, (li, lj, lw), (np.array([1]), np.array([2]))) == labels).all()
