"""The sample files lessons 13 and 14 send are made by helpers/samples and committed as made."""

from __future__ import annotations

import pytest

from helpers import samples
from helpers.mock import attachments


@pytest.mark.parametrize("name", sorted(samples.SAMPLES))
def test_the_committed_sample_is_what_the_code_makes(name):
    assert samples.path(name).read_bytes() == samples.SAMPLES[name]()


def test_the_samples_are_what_the_lessons_say():
    assert attachments.image_size(samples.chart_png()) == (48, 32)
    assert "PDF, 2 pages" in attachments.describe_file(samples.report_pdf(), "report.pdf")
    assert samples.requests_jsonl().count(b"\n") == 3
