"""The benchmarks' numeric options: bounded, so every run stays bounded in requests and time."""

import argparse
from collections.abc import Callable
from typing import Any


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type for a whole number from `low` to `high`. argparse's own
    `choices=range(...)` would answer a number out of range with every allowed value."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is outside {low}..{high}")
        return value

    return parse


def add_whole_number(parser: argparse.ArgumentParser, flag: str, low: int, high: int, **options: Any) -> None:
    """`flag` taking a whole number from `low` to `high`, its help naming the bounds."""
    parser.add_argument(flag, type=whole_number(low, high), metavar=f"{low}..{high}", **options)
