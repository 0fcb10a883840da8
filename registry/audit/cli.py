"""``flask --app registry verify-chain``: walk every hash chain (workflow history, security audit trail)."""
from __future__ import annotations

import click


@click.command("verify-chain")
def verify_chain_command():
    """Check the workflow history and the security audit chains; exit status 1 when either is broken."""
    from registry.audit.chain import AUDIT
    from workflows import chain

    broken = False
    for one in (chain.HISTORY, AUDIT):
        problems = chain.verify(chain=one)
        for problem in problems:
            click.echo(f"{one.label}: {problem}")
        broken = broken or bool(problems)
        if not problems:
            click.echo(f"{one.label} intact")
    if broken:
        raise SystemExit(1)
