"""auctions.live: which private ranks a bid or withdrawal moves. `moved_ranks` sorts once and
names only the suppliers between the mover's old and new place; checked against ranking
everyone before and after and comparing (how rank_changes did it until it ran hot)."""
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from auctions.live import moved_ranks


def ranked(bests: dict[int, Decimal]) -> dict[int, int]:
    ordered = sorted(bests.items(), key=lambda item: (item[1], item[0]))
    return {supplier: rank for rank, (supplier, _) in enumerate(ordered, start=1)}


def brute_force(others: dict[int, Decimal], supplier: int, before, after) -> dict[int, int | None]:
    with_before = {**others, **({supplier: before} if before is not None else {})}
    with_after = {**others, **({supplier: after} if after is not None else {})}
    ranks_before, ranks_after = ranked(with_before), ranked(with_after)
    return {s: ranks_after.get(s) for s in set(ranks_before) | set(ranks_after)
            if ranks_before.get(s) != ranks_after.get(s)}


amounts = st.decimals(min_value=1, max_value=60, places=0)  # few values: ties by supplier id are common


@given(others=st.dictionaries(st.integers(1, 40), amounts, max_size=30), supplier=st.integers(1, 40),
       before=st.none() | amounts, after=st.none() | amounts)
def test_the_moved_ranks_are_those_ranking_everyone_twice_finds(others, supplier, before, after):
    others.pop(supplier, None)
    assert moved_ranks(others, supplier, before, after) == brute_force(others, supplier, before, after)


def test_a_hand_worked_example():
    others = {1: Decimal("100"), 2: Decimal("90"), 3: Decimal("80"), 4: Decimal("90")}  # 3, 2, 4, 1
    # Supplier 9 enters at 85: second; 2, 4 and 1 each move one place down.
    assert moved_ranks(others, 9, None, Decimal("85")) == {9: 2, 2: 3, 4: 4, 1: 5}
    # Supplier 9 improves from 95 (fourth) to 70: first; 3, 2 and 4 move down, 1 stays fifth.
    assert moved_ranks(others, 9, Decimal("95"), Decimal("70")) == {9: 1, 3: 2, 2: 3, 4: 4}
    # Supplier 9 withdraws its 85: 2, 4 and 1 move up, 9 has no rank.
    assert moved_ranks(others, 9, Decimal("85"), None) == {9: None, 2: 2, 4: 3, 1: 4}
    # A bid that leaves the supplier where it was moves nobody.
    assert moved_ranks(others, 9, Decimal("85"), Decimal("84")) == {}
