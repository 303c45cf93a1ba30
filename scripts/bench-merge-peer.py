#!/usr/bin/env python3
"""The merge bench's peer: pygeodiff applying the bench's field changes.

`hearth bench merge` writes an empty base database (the raw baseline's `households` table) and
one changeset per batch of its ops, one entry per op in op order (SQLite's changeset format,
which geodiff reads and writes), then runs this script. It copies the base, applies the
changesets in order with `GeoDiff.apply_changeset` (one transaction each, as the replica takes
a transaction per batch) and times only those calls. Afterwards, untimed, it checks that the
result holds exactly the rows the raw baseline wrote (`--expected`), so the peer is known to
have applied the same field changes.

Prints one JSON object: {"peer", "version", "entries", "seconds", "matches_expected"}.
Exits 3 when pygeodiff is not installed (scripts/install-bench-peers.sh installs it).
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the empty database the changesets apply to")
    parser.add_argument("--expected", required=True, help="the raw baseline's database, the rows expected")
    parser.add_argument("--work", required=True, help="where to copy the base and apply (overwritten)")
    parser.add_argument("changesets", nargs="+", help="the changesets, applied in this order")
    arguments = parser.parse_args()

    try:
        import pygeodiff
    except ImportError:
        print("pygeodiff is not installed (scripts/install-bench-peers.sh installs it)", file=sys.stderr)
        return 3

    geodiff = pygeodiff.GeoDiff()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(arguments.work + suffix):
            os.remove(arguments.work + suffix)
    shutil.copyfile(arguments.base, arguments.work)
    entries = sum(geodiff.changes_count(changeset) for changeset in arguments.changesets)

    start = time.perf_counter()
    for changeset in arguments.changesets:
        geodiff.apply_changeset(arguments.work, changeset)
    seconds = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as scratch:
        difference = os.path.join(scratch, "difference.geodiff")
        geodiff.create_changeset(arguments.work, arguments.expected, difference)
        matches = not geodiff.has_changes(difference)

    print(json.dumps({
        "peer": "pygeodiff",
        "version": geodiff.version(),
        "entries": entries,
        "seconds": seconds,
        "matches_expected": matches,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
