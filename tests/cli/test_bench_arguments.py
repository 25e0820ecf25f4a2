"""The benchmarks' numeric options refuse what is out of bounds, naming the bounds."""

import argparse

import pytest

from bench.arguments import whole_number


def parser() -> argparse.ArgumentParser:
    made = argparse.ArgumentParser(prog="bench", exit_on_error=False)
    made.add_argument("--requests", type=whole_number(1, 500), default=20)
    return made


def test_a_number_within_bounds_is_taken():
    assert parser().parse_args(["--requests", "500"]).requests == 500
    assert parser().parse_args([]).requests == 20


@pytest.mark.parametrize(("given", "message"), [
    ("6000", "6000 is outside 1..500"),
    ("0", "0 is outside 1..500"),
    ("ten", "'ten' is not a whole number"),
    ("2.5", "'2.5' is not a whole number"),
])
def test_anything_else_is_refused_by_name(given, message):
    with pytest.raises(argparse.ArgumentError) as refused:
        parser().parse_args(["--requests", given])
    assert str(refused.value) == f"argument --requests: {message}"
