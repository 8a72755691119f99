import FlutterbyeIndexer
import SolanaCore

extension IndexedTransaction {
    /// A transaction as the index stores it that mints `amount` FLBY into `holder`'s `account`, whose balance goes from
    /// `preAmount` (nil: the account was created) to `postAmount`: what the tests write as if a dead fork had it.
    static func storedMint(
        _ signature: Signature, slot: UInt64, account: PublicKey, holder: PublicKey, amount: UInt64, preAmount: UInt64?, postAmount: UInt64,
        memo: String? = nil
    ) -> IndexedTransaction {
        IndexedTransaction(
            signature: signature, slot: slot, blockTime: nil, fee: 5_000, error: nil, memo: memo,
            movements: [
                FlbyMovement(
                    instructionIndex: 0, innerIndex: nil, kind: .mint, sourceAccount: nil, sourceOwner: nil, destinationAccount: account,
                    destinationOwner: holder, amount: amount)
            ],
            walletActivity: [], flbyBalances: [FlbyAccountBalance(account: account, owner: holder, amount: postAmount, preAmount: preAmount)],
            programLogs: [], namesWatchedAddress: true)
    }
}
