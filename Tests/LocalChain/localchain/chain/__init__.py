"""The chain: LiteSVM and what a real node keeps around it (ledger), the send path with its stall and late
queues (sending), simulateTransaction (simulation) and the transaction records (records)."""

from .ledger import Chain
from .records import TxRecord

__all__ = ["Chain", "TxRecord"]
