"""The attendance tests' data (a programme with triads, activists, a facilitator and peer
groups) and users, shared with the participants' tests."""

from tests.sessions.conftest import facilitator_user, organiser, training

__all__ = ["facilitator_user", "organiser", "training"]
