"""Where the repository, the test fixtures and these support programs are, for tests in any folder."""
from pathlib import Path

SUPPORT = Path(__file__).resolve().parent
REPO = SUPPORT.parent.parent
FIXTURES = REPO / "tests" / "fixtures"
