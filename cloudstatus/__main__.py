"""``python -m cloudstatus``: see ``python -m cloudstatus --help``."""

from __future__ import annotations

import sys

from cloudstatus._cli import main

if __name__ == "__main__":
    sys.exit(main())
