"""Import every area's models so the metadata (create_all, Alembic) sees all tables. One line per area."""
import registry.models  # noqa: F401
import workflows.models  # noqa: F401,E402
import registry.excel.models  # noqa: F401,E402
import registry.targets.models  # noqa: F401,E402
import registry.awards.models  # noqa: F401,E402
import registry.audit.models  # noqa: F401,E402
