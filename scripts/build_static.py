"""Build the static files for serving (``make assets``): hashed names, gzip and brotli, and
the manifest that ``url_for('static', ...)`` reads (grants/core/static_files.py).

    .venv/bin/python scripts/build_static.py            # static/ -> build/static/
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grants.core.static_files import build  # noqa: E402


def main() -> int:
    started = time.perf_counter()
    target = ROOT / "build" / "static"
    manifest = build(ROOT / "static", target)
    print(
        f"built {len(manifest)} static files into {target.relative_to(ROOT)} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
