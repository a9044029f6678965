"""The README's generated sections match the code and the sample, and it opens with the two
set-up commands."""

import pytest
from oneplan.flows.docs import README, generated_sections, render_readme

# One worker runs every test that reads the shared run of the sample (tests/flows/conftest.py).
pytestmark = pytest.mark.xdist_group("sample_published")


@pytest.fixture(scope="module")
def sections(sample_published):
    """From the shared publication of the sample: what `build_sample_database` (run_plan on
    the bundled sample) publishes, without running it once more."""
    return generated_sections(sample_published["db"])


def test_readme_generated_sections_are_current(sections):
    text = README.read_text(encoding="utf-8")
    assert render_readme(text, sections) == text, "run: python3 tasks.py docs"


def test_every_generated_section_has_its_marker_in_the_readme(sections):
    text = README.read_text(encoding="utf-8")
    for name in sections:
        assert f"<!-- {name} -->" in text and f"<!-- /{name} -->" in text, name


def test_readme_opens_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```", 2)[1]
    assert [line for line in first_block.splitlines() if line.startswith("python3")] == [
        "python3 tasks.py run",
        "python3 tasks.py test",
    ]
