"""Build the static files for serving (``make assets``): hashed names, the design system's
CSS cut down to what the app uses, gzip and brotli, and the manifest that
``url_for('static', ...)`` reads (grants/core/static_files.py).

    .venv/bin/python scripts/build_static.py            # static/ -> build/static/
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grants.core.css_trim import words_in  # noqa: E402
from grants.core.static_files import build  # noqa: E402

# The design system's stylesheet the layout links (templates/base.html), cut down to the
# classes found in the templates, the scripts and the code.
TRIMMED = ("dkfds/css/dkfds.min.css",)
USED_IN = (
    ROOT / "templates",
    ROOT / "grants",
    *sorted((ROOT / "static").glob("*.js")),
    ROOT / "static" / "dkfds" / "js" / "dkfds.js",
)


def main() -> int:
    started = time.perf_counter()
    target = ROOT / "build" / "static"
    manifest = build(ROOT / "static", target, trim=TRIMMED, words=words_in(USED_IN))
    print(
        f"built {len(manifest)} static files into {target.relative_to(ROOT)} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
