"""Streamed sampling: same rows whatever the chunk size, atomic files, typed errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from synthguard.cli import main
from synthguard.errors import ParameterError
from synthguard.generators import create_generator
from synthguard.generators.streaming import (
    BLOCK_ROWS,
    chunk_tasks,
    sample_rows,
    sample_to_file,
)


def test_output_identical_whatever_the_chunk_size(copula, tmp_path: Path) -> None:
    rows = 2 * BLOCK_ROWS + 3_517
    frames = []
    for chunk in (BLOCK_ROWS, 2 * BLOCK_ROWS, 7_000, 1_000_000):
        out = tmp_path / f"s{chunk}.parquet"
        summary = sample_to_file(copula, rows, out, seed=11, chunk_rows=chunk)
        assert summary.rows == rows
        frames.append(pd.read_parquet(out))
    assert pq.ParquetFile(tmp_path / f"s{BLOCK_ROWS}.parquet").num_row_groups == 3
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame, frames[0])
    other = sample_to_file(copula, rows, tmp_path / "other.parquet", seed=12)
    assert other.rows == rows
    assert not pd.read_parquet(tmp_path / "other.parquet").equals(frames[0])


def test_row_ranges_are_slices_of_one_stream(copula) -> None:
    whole = sample_rows(copula, 0, 25_000, seed=3)
    part = sample_rows(copula, 9_000, 21_000, seed=3)
    pd.testing.assert_frame_equal(part, whole.iloc[9_000:21_000].reset_index(drop=True))
    assert list(whole.columns) == list(copula.fit_info.columns)


def test_generator_without_chunks_falls_back_to_seeded_blocks(adult_small, tmp_path: Path) -> None:
    gen = create_generator("copy_leaky").fit(adult_small, seed=0)
    assert not hasattr(gen, "sample_chunk")
    a = sample_to_file(gen, 15_000, tmp_path / "a.csv", seed=5, chunk_rows=BLOCK_ROWS)
    b = sample_to_file(gen, 15_000, tmp_path / "b.csv", seed=5, chunk_rows=50_000)
    assert a.rows == b.rows == 15_000
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    frame = pd.read_csv(tmp_path / "a.csv")
    assert frame.shape == (15_000, adult_small.shape[1])


def test_chunks_are_whole_blocks() -> None:
    tasks = chunk_tasks(35_001, seed=1, chunk_rows=25_000)
    assert [(s, e) for _, s, e in tasks] == [(0, 20_000), (20_000, 35_001)]
    with pytest.raises(ParameterError):
        chunk_tasks(10, seed=1, chunk_rows=0)


class _Failing:
    """Wraps a fitted generator; the third block fails (like a worker dying mid-run)."""

    name = "failing"

    def __init__(self, inner) -> None:
        self.inner = inner

    def sample_chunk(self, size: int, *, seed: int, chunk_index: int) -> pd.DataFrame:
        if chunk_index == 2:
            raise RuntimeError("disk full")
        return self.inner.sample_chunk(size, seed=seed, chunk_index=chunk_index)


def test_failure_mid_stream_leaves_nothing_behind(copula, tmp_path: Path) -> None:
    out = tmp_path / "big.parquet"
    with pytest.raises(RuntimeError, match="disk full"):
        sample_to_file(_Failing(copula), 5 * BLOCK_ROWS, out, seed=0, chunk_rows=BLOCK_ROWS)
    assert list(tmp_path.iterdir()) == []


def test_bad_output_suffix_is_a_parameter_error(copula, tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"\.parquet"):
        sample_to_file(copula, 100, tmp_path / "out.xlsx", seed=0)


def test_cli_generate_streams_and_rejects_bad_engine_flags(tmp_path: Path, capsys) -> None:
    out = tmp_path / "syn.parquet"
    code = main(["generate", "--data", "adult", "--rows", "12000", "--out", str(out),
                 "--chunk-rows", "10000", "--seed", "4"])
    assert code == 0
    assert pq.ParquetFile(out).metadata.num_rows == 12_000
    assert pq.ParquetFile(out).num_row_groups == 2
    code = main(["generate", "--data", "adult", "--rows", "10", "--out", str(tmp_path / "x.parquet"),
                 "--ray-address", "auto"])
    assert code == 2
    assert "--ray-address needs --engine 'ray'" in capsys.readouterr().err
    assert not (tmp_path / "x.parquet").exists()
