"""The one place settings read the environment."""
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is optional; the environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
