"""Errors of dbops' operations; commands turn them into a one-line CommandError."""


class BackupError(Exception):
    """A backup, restore or drill could not be done; the message says why and what to do."""


class ManifestMismatch(BackupError):
    """A dump's bytes or a restored database's contents differ from what its manifest recorded."""
