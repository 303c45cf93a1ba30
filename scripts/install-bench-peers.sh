#!/usr/bin/env bash
# Installs the peers `hearth bench merge` compares with, for the user running it: pygeodiff
# (geodiff's Python binding, which applies SQLite changesets). The bench runs a peer only when
# it finds it (python3 that can `import pygeodiff`), and says so in one line when it does not.
set -euo pipefail
python=${PYTHON:-python3}
if "$python" -c "import pygeodiff" 2>/dev/null; then
    echo "pygeodiff $("$python" -c 'import pygeodiff; print(pygeodiff.GeoDiff().version())') is installed"
    exit 0
fi
"$python" -m pip install --quiet "pygeodiff==2.3.2"
echo "pygeodiff $("$python" -c 'import pygeodiff; print(pygeodiff.GeoDiff().version())') installed"
