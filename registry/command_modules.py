"""CLI commands contributed by each area; one line per area."""
from __future__ import annotations


def COMMANDS() -> list:  # noqa: N802
    from registry.audit.cli import verify_chain_command  # both hash chains (registry/audit)
    from registry.demo.cli import seed_demo_command  # demo data (registry/demo)
    from registry.install import init_command  # install or upgrade in one command
    from registry.ops.cli import backup_cli  # backup and restore (registry/ops)
    from registry.targets.seed import seed_indicators_command  # plan indicators (registry/targets)
    from workflows.cli import workflows_cli  # applications, holidays, history chain (workflows)

    return [init_command, backup_cli, seed_demo_command, seed_indicators_command, workflows_cli, verify_chain_command]
