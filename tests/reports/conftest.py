"""Fixtures of the report tests: the demo programme is ``demo`` (built once per module) or
``demo_committed`` (tests/conftest.py); tasks run eagerly outside the worker tests."""
