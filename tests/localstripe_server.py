"""localstripe (PyPI) as the suite runs it: `python tests/localstripe_server.py --port N --from-scratch`.

localstripe keeps a copy of its whole state in one fixed file, /tmp/localstripe.pickle, rewritten after every
change, only so that a restart can reload it. The suite never reloads (--from-scratch), and with a server per
xdist worker (and other checkouts' runs on the same machine) several servers would write that one file at
once; pickling the ever-growing state on every request also costs more as a run goes on. So the copy is off.
"""

from __future__ import annotations

from localstripe import resources, server


def _no_disk_copy(self: resources.Store) -> None:
    return None


if __name__ == "__main__":
    resources.Store.dump_to_disk = _no_disk_copy
    server.start()
