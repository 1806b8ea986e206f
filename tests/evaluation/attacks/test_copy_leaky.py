"""copy_leaky: the calibration generator copies exactly its share and round-trips."""

from __future__ import annotations

import pytest

from synthguard.errors import NotFittedError, ParameterError
from synthguard.evaluation.attacks._neighbors import row_keys
from synthguard.generators import create_generator, list_generators, load_generator, save_generator


def _copied_share(sample, train) -> float:
    import numpy as np

    cols = list(train.columns)
    return float(np.isin(row_keys(sample, cols), row_keys(train, cols)).mean())


@pytest.mark.parametrize("share", [0.0, 0.25, 1.0])
def test_copies_its_share_from_train(share: float, tables) -> None:
    train = tables("adult_mixed").train
    gen = create_generator("copy_leaky", copied_share=share).fit(train, seed=0)
    sample = gen.sample(800, seed=2)
    assert list(sample.columns) == list(train.columns)
    assert (sample.dtypes == train.dtypes).all()
    assert abs(_copied_share(sample, train) - share) < 0.02
    assert sample.equals(gen.sample(800, seed=2))
    assert not sample.equals(gen.sample(800, seed=3))


def test_listed_validated_and_saved_without_pickle(tmp_path, tables) -> None:
    assert "copy_leaky" in {g["name"] for g in list_generators()}
    with pytest.raises(ParameterError, match="copied_share"):
        create_generator("copy_leaky", copied_share=1.5)
    with pytest.raises(ParameterError, match="pickle"):
        create_generator("copy_leaky", base="sdv_gaussian_copula").fit(
            tables("adult_mixed").train, seed=0)
    with pytest.raises(NotFittedError):
        create_generator("copy_leaky").sample(5)
    train = tables("numeric").train
    gen = create_generator("copy_leaky", copied_share=0.4).fit(train, seed=0)
    save_generator(gen, tmp_path / "model")
    assert not list((tmp_path / "model").rglob("*.pkl"))
    again = load_generator(tmp_path / "model")
    assert again.sample(300, seed=5).equals(gen.sample(300, seed=5))
