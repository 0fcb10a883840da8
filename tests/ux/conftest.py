"""The workflow cast and drafts serve the issue-12 tests too."""
from tests.workflows.conftest import cast, draft, published_standard  # noqa: F401
