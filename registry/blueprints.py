"""Every blueprint the app serves; one line per area."""
from __future__ import annotations


def BLUEPRINTS() -> list:  # noqa: N802  (reads as the table it is)
    from registry.admin.views import bp as admin
    from registry.api.registry_api import bp as registry_api
    from registry.auth.views import bp as auth
    from registry.awards.views import bp as awards
    from registry.enterprises.views import bp as enterprises
    from registry.excel.views import bp as excel
    from registry.home.views import bp as home
    from registry.ops.views import bp as ops
    from registry.targets.api import bp as targets_api
    from registry.targets.views import bp as targets
    from workflows.api import bp as workflows_api
    from workflows.views import bp as workflows

    return [auth, home, enterprises, registry_api, excel, targets, targets_api, awards, workflows, workflows_api, admin,
            ops]
