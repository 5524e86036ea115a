#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cotraining.settings")
    if sys.argv[1:2] != ["runserver"]:
        # Commands that serve no request may run without the production secret key.
        os.environ.setdefault("COTRAINING_OFFLINE_COMMAND", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
