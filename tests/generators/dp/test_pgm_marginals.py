"""``_pgm.NumpyModel``: marginals from the calibrated junction tree equal the brute-force
marginals of the model's joint (product of exp(potentials) over the whole domain), for
queries inside one clique, across cliques of a loopy model, and across disconnected parts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from synthguard.generators.dp import _pgm


def _brute_force(model, clique):  # type: ignore[no-untyped-def]
    domain = model.domain
    attrs = list(domain.attributes)
    log_joint = np.zeros(domain.shape)
    for cl in model.potentials.cliques:
        factor = model.potentials[cl]
        names = list(factor.domain.attributes)
        values = np.asarray(factor.values, dtype=float)
        order = sorted(range(len(names)), key=lambda i: attrs.index(names[i]))
        values = np.transpose(values, order)
        shape = [domain[a] if a in names else 1 for a in attrs]
        log_joint = log_joint + values.reshape(shape)
    joint = np.exp(log_joint - log_joint.max())
    keep = [attrs.index(a) for a in clique]
    summed = joint.sum(axis=tuple(i for i in range(len(attrs)) if i not in keep))
    rest = sorted(keep)
    out = np.transpose(summed, [rest.index(i) for i in keep]).reshape(-1)
    return out * model.total / out.sum()


@pytest.mark.parametrize("cliques", [
    # a loop a-b-c-d-a plus a chord-free tail d-e: the junction tree has to triangulate
    [("a", "b"), ("b", "c"), ("c", "d"), ("d", "a"), ("d", "e")],
    # three-column cliques and a column (f) tied to nothing: a forest
    [("a", "b", "c"), ("c", "d"), ("b", "d", "e")],
])
def test_numpy_marginals_match_the_brute_force_joint(cliques: list[tuple[str, ...]]) -> None:
    rng = np.random.default_rng(3)
    sizes = {"a": 3, "b": 4, "c": 2, "d": 5, "e": 3, "f": 2}
    domain = _pgm.make_domain(sizes)
    n = 4000
    a = rng.integers(0, 3, n)
    b = (a + rng.integers(0, 2, n)) % 4
    c = (b + rng.integers(0, 2, n)) % 2
    d = (2 * c + a + rng.integers(0, 2, n)) % 5
    e = (d + rng.integers(0, 2, n)) % 3
    f = rng.integers(0, 2, n)
    data = _pgm.make_dataset({"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}, domain)
    measurements = [_pgm.measure(data, cl, 2.0, rng) for cl in cliques]
    model = _pgm.estimate(domain, measurements, iters=200)
    numpy_model = _pgm.NumpyModel(model)
    queries = [(x,) for x in sizes] + list(itertools.combinations(sizes, 2)) + [
        ("e", "a", "c"), ("f", "b", "e"), ("c", "a")]
    for query in queries:
        got = numpy_model.marginal(query)
        want = _brute_force(model, query)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-8 * model.total)
    # the fitted marginals of measured cliques are what mbi computes itself
    for cl in cliques:
        np.testing.assert_allclose(numpy_model.marginal(cl), _pgm.project(model, cl),
                                   rtol=1e-6, atol=1e-6 * model.total)
