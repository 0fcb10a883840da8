"""``flask --app registry seed-demo``: load the demo data once and print the demo accounts."""
from __future__ import annotations

import click

_LABELS = {"enterprises": "企业", "standards": "标准", "standard_drafters": "标准起草单位", "certifications": "认证证书",
           "honours": "荣誉", "patents": "专利", "trademarks": "商标", "credit_records": "信用记录",
           "incidents": "事故/抽查记录", "benefit_grades": "亩均效益评价", "gi_products": "地理标志产品保护"}


@click.command("seed-demo")
@click.option("--seed", "rng_seed", default=20260, show_default=True, help="Random seed (same seed, same data).")
@click.option("--enterprises", "enterprise_count", default=300, show_default=True, type=click.IntRange(20, 100000),
              help="How many enterprises (a small set for tests of migrations).")
def seed_demo_command(rng_seed: int, enterprise_count: int) -> None:
    """Create demo enterprises, records and one account per role (idempotent), and print the credentials."""
    from registry.demo import seed_demo

    summary = seed_demo(rng_seed=rng_seed, enterprise_count=enterprise_count)
    if summary["skipped"]:
        click.echo("演示数据已存在，未重复创建 (demo data already present; nothing written).")
    else:
        click.echo("演示数据已创建 (demo data created):")
        for key, label in _LABELS.items():
            click.echo(f"  {label} {key}: {summary.get(key, 0)}")
    from registry.demo.applications import seed_demo_applications

    made = seed_demo_applications()
    if made:
        click.echo("演示申请 (demo applications): " + ", ".join(f"{k} {v}" for k, v in made.items()))
    from registry.demo.route_applications import seed_demo_route_applications

    routes = seed_demo_route_applications()
    if routes:
        click.echo("演示品字标其他途径 (other 品字标 routes): " + ", ".join(f"{k} {v}" for k, v in routes.items()))
    from registry.demo.awards import seed_demo_award

    award = seed_demo_award(rng_seed=rng_seed)
    if award:
        click.echo("演示政府质量奖 (demo award): " + ", ".join(f"{k} {v}" for k, v in award.items()))
    from registry.targets.demo import seed_demo_targets

    figures = seed_demo_targets()
    if figures:
        click.echo("演示规划指标 (demo targets)：填报/官方数据 values {values}，年度监测报告 reviews {reviews}"
                   .format(**figures))
    from registry.demo.showcase import example_accounts, seed_demo_showcase

    shown = seed_demo_showcase()
    if shown:
        click.echo("演示快照与提醒 (snapshots, reminders): " + ", ".join(f"{k} {v}" for k, v in shown.items()))
    click.echo("演示账号 (demo accounts):")
    for a in summary["accounts"]:
        scope = f"  [{a['scope']}]" if a["scope"] else ""
        click.echo(f"  {a['role']:<10} {a['email']:<26} {a['password']:<22} {a['name']}{scope}")
    passwords = {a["role"]: a["password"] for a in reversed(summary["accounts"])}
    click.echo("哪个账号看什么 (which account holds which example; other accounts use their role's password):")
    for example in example_accounts():
        click.echo(f"  {example['email']:<30} {example['holds']}")
    click.echo(f"  （企业账号密码 enterprise password：{passwords.get('enterprise', '')}；"
               f"专家 experts：{passwords.get('expert', '')}）")
