import numpy as np

from linkage.em import estimate, level_shares

FIELDS = ("a", "b", "c")
M = [np.array([0.05, 0.15, 0.8]), np.array([0.1, 0.2, 0.7]), np.array([0.1, 0.9])]
U = [np.array([0.85, 0.1, 0.05]), np.array([0.7, 0.2, 0.1]), np.array([0.6, 0.4])]


def simulate(rng, n_match, n_non):
    rows = [np.stack([rng.choice(len(p), n, p=p) for p in probs], axis=1)
            for probs, n in ((M, n_match), (U, n_non))]
    uniq, counts = np.unique(np.concatenate(rows), axis=0, return_counts=True)
    return uniq, counts.astype(float)


def test_em_recovers_m_and_prior_with_u_fixed():
    levels, counts = simulate(np.random.default_rng(0), 20_000, 80_000)
    params = estimate(levels, counts, FIELDS, [3, 3, 2], dict(zip(FIELDS, U)),
                      max_iter=500, tol=1e-8)
    assert abs(params.prior - 0.2) < 0.02
    assert np.allclose(params.fields["a"].m, M[0], atol=0.03)
    assert np.allclose(params.fields["a"].u, U[0])  # held fixed
    w = params.fields["a"].weights()
    assert w[2] > 3 and w[0] < -3  # agreement adds evidence, disagreement removes it


def test_prior_alone_with_m_and_u_fixed():
    levels, counts = simulate(np.random.default_rng(1), 5_000, 95_000)
    params = estimate(levels, counts, FIELDS, [3, 3, 2], dict(zip(FIELDS, U)),
                      dict(zip(FIELDS, M)), fixed_m=FIELDS, tol=1e-9)
    assert abs(params.prior - 0.05) < 0.01
    assert np.allclose(params.fields["b"].m, M[1])


def test_u_from_random_pairs_is_the_share_of_each_level():
    levels = np.array([[0, 1], [1, -1], [2, 0]])
    counts = np.array([6.0, 3.0, 1.0])
    a, b = level_shares(levels, counts, [3, 2], floor=0.0)
    assert np.allclose(a, [0.6, 0.3, 0.1])
    assert np.allclose(b, [1 / 7, 6 / 7])  # missing values left out
