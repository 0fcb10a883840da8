"""Workflow tables: applications, stage runs (deadlines), history, assignments, outbox, notifications, attachments."""
from workflows.models.application import Application, Assignment, StageRun  # noqa: F401
from workflows.models.history import ChainAnchor, ChainHead, ChainSeal, ChainSealHead, Transition  # noqa: F401
from workflows.models.messaging import Notification, NotificationPreference, Outbox  # noqa: F401
from workflows.models.files import Attachment, HolidayOverride  # noqa: F401
