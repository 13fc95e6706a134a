import pytest

from rules.classifier import RuleClassifier


@pytest.fixture(scope="session")
def default_rules() -> RuleClassifier:
    """The shipped default rule set, compiled once for the whole session (it takes a few seconds)."""
    rc = RuleClassifier()
    rc.live
    return rc

