"""Retention (数据保留): a daily job removes what has outlived its use, per kind, as the settings say; nothing an
open application, a report or a hash chain needs."""
