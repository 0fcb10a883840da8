"""品字标 (the Zhejiang 品字标 brand, domain.md section 3): its workflow definitions, their guards and effects.

The routes (``definitions.py``: 品字标浙江制造 ``manufacturing.py``, 浙江农产 ``agri.py``, 浙江服务 ``service.py``, 标准 +
自我声明公开 + 信用保证 ``declaration.py``) are built from shared stages (``stages.py``: certification-body steps,
standard batches, the holder's stage); ``rules.py`` and ``route_rules.py`` are the registry side of their actions.
The engine runs them through its table (``registry/workflow_definitions.py``); the pages are the workflow pages.
"""
