"""The JSON-RPC methods, in groups by topic; each group maps method names to its bound functions."""

from .accounts import AccountMethods
from .cluster import ClusterMethods
from .history import HistoryMethods
from .sending import SendingMethods

__all__ = ["AccountMethods", "ClusterMethods", "HistoryMethods", "SendingMethods"]
