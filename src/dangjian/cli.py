"""`dangjian` command: Django's manage.py, plus short aliases (`dangjian demo`).

Every management command runs under its own name too: `dangjian keygen`, `dangjian
create_admin --role system …` (docs/zh/deploy.md).
"""

from __future__ import annotations

import os
import sys

ALIASES = {"demo": "seed_demo"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
