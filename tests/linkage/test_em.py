import numpy as np

from linkage.em import estimate

# three fields: a two-class latent model needs at least three indicators to be identified
M = [np.array([0.05, 0.15, 0.8]), np.array([0.1, 0.2, 0.7]), np.array([0.1, 0.9])]
U = [np.array([0.85, 0.1, 0.05]), np.array([0.7, 0.2, 0.1]), np.array([0.6, 0.4])]


def simulate(rng, n_match, n_non):
    rows = [np.stack([rng.choice(len(p), n, p=p) for p in probs], axis=1)
            for probs, n in ((M, n_match), (U, n_non))]
    uniq, counts = np.unique(np.concatenate(rows), axis=0, return_counts=True)
    return uniq, counts.astype(float)


def test_em_recovers_m_u_and_prior_without_labels():
    levels, counts = simulate(np.random.default_rng(0), 20_000, 80_000)
    params = estimate(levels, counts, ("a", "b", "c"), [3, 3, 2], max_iter=500, tol=1e-8)
    assert abs(params.prior - 0.2) < 0.02
    assert np.allclose(params.fields["a"].m, M[0], atol=0.03)
    assert np.allclose(params.fields["a"].u, U[0], atol=0.03)
    w = params.fields["a"].weights()
    assert w[2] > 3 and w[0] < -3  # agreement adds evidence, disagreement removes it


def test_missing_level_is_ignored():
    levels = np.array([[2, -1, 1], [0, 0, 0], [2, 2, 1], [0, -1, 0]])
    counts = np.array([50.0, 500.0, 50.0, 400.0])
    params = estimate(levels, counts, ("a", "b", "c"), [3, 3, 2])
    assert np.isclose(sum(params.fields["b"].m), 1.0)
    assert params.fields["a"].weights()[2] > params.fields["a"].weights()[0]
