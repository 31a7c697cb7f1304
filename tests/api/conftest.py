from .world import _demo_world, demo  # noqa: F401  (fixtures)
