"""Every model and peer as its descriptor says it: name, label, family, colour, kind
(model or peer) and the rest, from `hammertime list --json`, run once per process.
The scripts name no model: a model's colour, label and place come from here.

    $ /usr/bin/python3 -c 'import model_catalog; print(model_catalog.colour_of("fibers"))'
    #882255

The binary: $HAMMERTIME_BIN, else build/bin/hammertime under the repository's root.
"""

import functools
import json
import os
import subprocess
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
DEFAULT_BIN = TOP / "build" / "bin" / "hammertime"
UNKNOWN_COLOUR = "#999999"  # a name the catalogue does not know


@functools.lru_cache(maxsize=None)
def catalog():
    """The models, then the peers, in the order the tables show them: a list of dicts
    (name, label, family, colour, kind, how_it_waits, knobs, each_task_holds,
    max_concurrency; a peer's runtime)."""
    binary = os.environ.get("HAMMERTIME_BIN") or str(DEFAULT_BIN)
    listed = subprocess.run([binary, "list", "--json"], capture_output=True, text=True,
                            check=True, timeout=60)
    return json.loads(listed.stdout)


def entry_of(name):
    """The catalogue's dict for a name, or None."""
    return next((entry for entry in catalog() if entry["name"] == name), None)


def colour_of(name):
    entry = entry_of(name)
    return entry["colour"] if entry and entry["colour"] else UNKNOWN_COLOUR


def label_of(name):
    entry = entry_of(name)
    return entry["label"] if entry else name.replace("_", " ")


def order_of(name):
    """A name's place in the tables; an unknown name comes after every known one."""
    names = [entry["name"] for entry in catalog()]
    return names.index(name) if name in names else len(names)
