"""Attacks on the real server: ``kg serve`` started on 127.0.0.1 by the tests (issue 6)."""
