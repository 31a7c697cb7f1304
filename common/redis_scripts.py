"""A Lua script registered once per Redis client (redis-py's `Script`, which loads it again
after a restart or SCRIPT FLUSH): the live publisher's and presence's one place for it."""
from __future__ import annotations


def script_for(client, source: str):
    """The registered script of `source` on `client`, made on first use."""
    scripts = client.__dict__.setdefault("quayside_scripts", {})
    script = scripts.get(source)
    if script is None:
        script = scripts[source] = client.register_script(source)
    return script
