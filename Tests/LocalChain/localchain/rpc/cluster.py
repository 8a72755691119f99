"""Cluster methods: health, version, genesis hash, slots, block heights, epoch, blockhashes and rent."""

import bisect

import base58

from ..constants import FEATURE_SET, MAX_PROCESSING_AGE, NODE_VERSION, SLOTS_PER_EPOCH
from ..errors import RpcError, invalid_params
from ..params import config_param, param


class ClusterMethods:
    """getHealth, getVersion, getGenesisHash, getSlot, getBlockHeight, getEpochInfo, getTransactionCount,
    getBlockTime, getLatestBlockhash, isBlockhashValid and getMinimumBalanceForRentExemption over a Chain."""

    def __init__(self, chain):
        self.chain = chain

    def methods(self):
        return {
            "getHealth": self.get_health,
            "getVersion": self.get_version,
            "getGenesisHash": self.get_genesis_hash,
            "getSlot": self.get_slot,
            "getBlockHeight": self.get_block_height,
            "getEpochInfo": self.get_epoch_info,
            "getTransactionCount": self.get_transaction_count,
            "getBlockTime": self.get_block_time,
            "getLatestBlockhash": self.get_latest_blockhash,
            "isBlockhashValid": self.is_blockhash_valid,
            "getMinimumBalanceForRentExemption": self.get_minimum_balance_for_rent_exemption,
        }

    def get_health(self, params):
        return "ok"

    def get_version(self, params):
        return {"solana-core": NODE_VERSION, "feature-set": FEATURE_SET}

    def get_genesis_hash(self, params):
        return self.chain.genesis_hash

    def get_slot(self, params):
        return self.chain.bank(config_param(params, 0))

    def get_block_height(self, params):
        return self.chain.height_at(self.chain.bank(config_param(params, 0)))

    def transaction_count_at(self, slot):
        return bisect.bisect_right(self.chain.record_slots, slot)

    def get_epoch_info(self, params):
        slot = self.chain.bank(config_param(params, 0))
        return {
            "absoluteSlot": slot,
            "blockHeight": self.chain.height_at(slot),
            "epoch": slot // SLOTS_PER_EPOCH,
            "slotIndex": slot % SLOTS_PER_EPOCH,
            "slotsInEpoch": SLOTS_PER_EPOCH,
            "transactionCount": self.transaction_count_at(slot),
        }

    def get_transaction_count(self, params):
        return self.transaction_count_at(self.chain.bank(config_param(params, 0)))

    def get_block_time(self, params):
        slot = param(params, 0, "slot", int)
        info = self.chain.slots.get(slot)
        if info is None or slot > self.chain.committed_slot("confirmed"):
            raise RpcError(-32004, f"Block not available for slot {slot}")
        return info["time"]

    def get_latest_blockhash(self, params):
        slot = self.chain.bank(config_param(params, 0))
        info = self.chain.slots[slot]
        return {"context": self.chain.context(slot),
                "value": {"blockhash": info["blockhash"], "lastValidBlockHeight": info["height"] + MAX_PROCESSING_AGE}}

    def is_blockhash_valid(self, params):
        blockhash = param(params, 0, "blockhash", str)
        try:
            if len(base58.b58decode(blockhash)) != 32:
                raise ValueError
        except Exception:
            raise invalid_params(f"Invalid param: Invalid hash {blockhash!r}")
        slot = self.chain.bank(config_param(params, 1))
        return {"context": self.chain.context(slot), "value": self.chain.blockhash_valid(blockhash, slot)}

    def get_minimum_balance_for_rent_exemption(self, params):
        size = param(params, 0, "data length", int)
        if size < 0:
            raise invalid_params("Invalid params: the data length must not be negative")
        self.chain.bank(config_param(params, 1))
        return self.chain.svm.minimum_balance_for_rent_exemption(size)
