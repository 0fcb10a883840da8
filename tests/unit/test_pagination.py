"""The one pagination helper: page counts, clamping and slicing that every listing page shares."""
from __future__ import annotations

import pytest

from registry import pagination


@pytest.mark.parametrize("total, per_page, pages", [(0, 20, 1), (1, 20, 1), (20, 20, 1), (21, 20, 2), (45, 20, 3)])
def test_page_count(total, per_page, pages):
    assert pagination.page_count(total, per_page) == pages


@pytest.mark.parametrize("page, expected", [(-3, 1), (0, 1), (1, 1), (3, 3), (4, 3), (99, 3)])
def test_a_page_outside_the_list_is_held_to_it(page, expected):
    assert pagination.clamp(page, 45, 20) == expected


def test_a_list_page_holds_its_slice_and_numbering():
    shown = pagination.of_list(list(range(45)), 3, 20)
    assert (shown.items, shown.total, shown.page, shown.pages, shown.first) == (list(range(40, 45)), 45, 3, 3, 40)
    assert pagination.of_list(list(range(45)), 9, 20).items == list(range(40, 45))  # past the end: the last page
    assert pagination.of_list(list(range(45)), 9, 20, keep_page=True).items == []  # an API's empty page


def test_a_page_is_a_value():
    """Pages are frozen (a view cannot change the count it was given) and not capped unless a service says so."""
    from dataclasses import FrozenInstanceError

    shown = pagination.of_list([1, 2, 3], 1, 2)
    assert shown.capped is False
    with pytest.raises(FrozenInstanceError):
        shown.total = 0


def test_an_api_page_below_the_first_is_the_first():
    assert pagination.of_list(list(range(45)), 0, 20, keep_page=True).page == 1
