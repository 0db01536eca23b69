"""Fixtures for test_ask_llm.py: a mock OpenAI server of the tests' own, on a free port."""

import pytest

import helpers


@pytest.fixture(scope="module")
def llm_server():
    """One server for the module's tests. It never touches the environment (set_environment=False),
    so no test can reach a real provider by accident, and it streams without pauses (tokens_per_second=0)."""
    with helpers.start_mock_server(tokens_per_second=0, set_environment=False) as server:
        yield server


@pytest.fixture(autouse=True)
def no_fault_left_over(llm_server):
    """A fault a test injected but did not use must not leak into the next test."""
    yield
    llm_server.clear_faults()
