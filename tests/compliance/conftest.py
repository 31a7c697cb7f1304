from tests.api.world import _demo_world, demo  # noqa: F401  (fixtures: the demo world, seeded once per module)
