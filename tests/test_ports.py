"""The ports tests hand their servers: below the ephemeral range, each CI run its own block."""
import itertools

from tests import ports

CI_RUNS = [("postgres", "1/2"), ("postgres", "2/2"), ("embedded", "1/2"), ("embedded", "2/2")]


def test_each_ci_run_draws_from_its_own_block_below_the_ephemeral_range(monkeypatch):
    blocks = []
    for once, shard in CI_RUNS:
        monkeypatch.setenv("QUAYSIDE_CI_ONCE", once)
        monkeypatch.setenv("QUAYSIDE_TEST_SHARD", shard)
        blocks.append(set(ports._block()))
    for a, b in itertools.combinations(blocks, 2):
        assert not a & b
    every = set().union(*blocks)
    assert min(every) >= ports.FIRST_PORT and max(every) < 32768  # Linux's ephemeral ports start at 32768
    assert all(len(block) >= 2000 for block in blocks)


def test_a_port_is_never_handed_out_twice_in_one_process(monkeypatch):
    monkeypatch.setenv("QUAYSIDE_CI_ONCE", "embedded")
    monkeypatch.setenv("QUAYSIDE_TEST_SHARD", "2/2")
    handed = [ports.free_port() for _ in range(300)]
    assert len(set(handed)) == len(handed)
    assert set(handed) <= set(ports._block())
