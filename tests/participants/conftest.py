"""The attendance tests' data (a programme with triads, activists, a facilitator and peer
groups) and users, shared with the participants' tests. The GDPR browser journey lives in
``tests/e2e/test_gdpr_journey.py``, beside the one session-wide browser."""

from tests.sessions.conftest import facilitator_user, organiser, training

__all__ = ["facilitator_user", "organiser", "training"]
