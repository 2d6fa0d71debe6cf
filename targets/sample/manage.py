#!/usr/bin/env python
"""The sample target's manage.py (a Django 4.2 project of its own, not part of aquadsl)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seafarm.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
