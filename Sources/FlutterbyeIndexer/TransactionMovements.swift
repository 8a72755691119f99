public import SolanaCore

/// Reads what a fetched transaction did to the watched addresses: decodes its Token and Token-2022 instructions,
/// top-level, invoked and in a Batch (MintTo, Burn, Transfer and their Checked forms), finds the mint of a plain
/// Transfer from the token balances, and checks the result against the balance changes so that a movement made any
/// other way is still counted. Pure: no I/O.
public enum TransactionMovements {
    /// The Memo program's first version, still used by wallets.
    public static let memoV1: PublicKey = "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo"

    /// The Token program's Batch instruction (p-token, SIMD-0266): several token instructions in one.
    static let batchTag: UInt8 = 255

    /// What `fetched` did to the watched addresses. The watched program's events are decoded with `events` (its
    /// Anchor IDL) when given, else kept raw.
    public static func extract(
        _ fetched: FetchedTransaction, watching watched: WatchedAddresses, events: AnchorEventDecoder? = nil
    ) -> IndexedTransaction {
        // Indexed by account position rather than hashed by key: a transaction has a handful of accounts, and this
        // runs for every transaction the indexer reads.
        let keys = fetched.accountKeys
        let meta = fetched.meta
        func key(_ index: Int) -> PublicKey? { keys.indices.contains(index) ? keys[index] : nil }
        /// The first position of the key at `index` (the one every lookup by key finds).
        func position(_ index: Int) -> Int? {
            guard keys.indices.contains(index) else { return nil }
            return keys.firstIndex(of: keys[index])
        }

        // Every token account the balances name, with its mint (before the transaction, else after: an account closed
        // and created again at its address can hold another mint after), its owner (after the transaction, else before;
        // and before, `preOwnerAt`: SetAuthority can give an account to another owner), and the FLBY balances before and
        // after. (The RPC client refuses an answer whose balance names an account the transaction does not have; one
        // built otherwise is read without that balance rather than trapping.)
        var mintAt = [PublicKey?](repeating: nil, count: keys.count)
        var ownerAt = [PublicKey?](repeating: nil, count: keys.count)
        var preOwnerAt = [PublicKey?](repeating: nil, count: keys.count)
        var flbyBefore = [UInt64?](repeating: nil, count: keys.count)
        var flbyAfter = [UInt64?](repeating: nil, count: keys.count)
        for isAfter in [false, true] {
            for balance in isAfter ? meta.postTokenBalances : meta.preTokenBalances {
                guard let at = position(balance.accountIndex) else { continue }
                if !isAfter || mintAt[at] == nil { mintAt[at] = balance.mint }
                if let owner = balance.owner {
                    ownerAt[at] = owner
                    if !isAfter { preOwnerAt[at] = owner }
                }
                if balance.mint == watched.flbyMint {
                    if isAfter { flbyAfter[at] = balance.amount } else { flbyBefore[at] = balance.amount }
                }
            }
        }
        // Each account's owner as the instructions run (and its mint: InitializeAccount changes `mintAt` too): a
        // movement is its owner's at that moment, and a plain Transfer moves the mint its accounts hold then.
        var ownerNow = zip(preOwnerAt, ownerAt).map { $0 ?? $1 }
        // The accounts the instructions initialize: one without an FLBY balance before or after was opened and closed
        // in the transaction, holding no FLBY at either end.
        var opened = [Bool](repeating: false, count: keys.count)
        func owner(of account: PublicKey?) -> PublicKey? {
            guard let account, let at = keys.firstIndex(of: account) else { return nil }
            return ownerNow[at]
        }
        func mint(of account: PublicKey) -> PublicKey? {
            guard let at = keys.firstIndex(of: account) else { return nil }
            return mintAt[at]
        }

        // The instructions in execution order: each top-level one, then those it invoked.
        // An instruction naming an account index the transaction does not have (a malformed answer) is left out:
        // its accounts could not be read in their places.
        var memos: [String] = []
        var movements: [FlbyMovement] = []
        var feeTransfers: [Int] = []  // positions in `movements` of TransferChecked movements
        var feeWithdrawals: [FlbyMovement] = []  // their amounts still to be read from the balances
        var invokedWatchedProgram = false
        func step(_ index: Int, _ inner: Int?, program programIndex: Int, accounts: some Collection<Int>, data: [UInt8]) {
            guard let program = key(programIndex), accounts.allSatisfy({ keys.indices.contains($0) }) else { return }
            if program == MemoProgram.programID || program == memoV1 {
                memos.append(String(decoding: data, as: UTF8.self))
            }
            if program == watched.programID { invokedWatchedProgram = true }
            guard meta.error == nil, TokenProgram.isTokenProgram(program) else { return }
            // p-token's Batch: the instructions in its data run in it one after another, none invoked, each with the
            // next of its accounts after a header of their count and its data's length (a Batch holds no Batch).
            if data.first == batchTag {
                let listed = Array(accounts)
                var at = 1
                var used = 0
                while at + 2 <= data.count {
                    let count = Int(data[at])
                    let length = Int(data[at + 1])
                    guard length > 0, at + 2 + length <= data.count, used + count <= listed.count, data[at + 2] != batchTag else { return }
                    step(index, inner, program: programIndex, accounts: listed[used..<used + count], data: Array(data[at + 2..<at + 2 + length]))
                    at += 2 + length
                    used += count
                }
                return
            }
            let flby = watched.flbyMint
            func movement(_ kind: MovementKind, from source: PublicKey?, to destination: PublicKey?, _ amount: UInt64) -> FlbyMovement {
                FlbyMovement(
                    instructionIndex: index, innerIndex: inner, kind: kind, sourceAccount: source, sourceOwner: owner(of: source),
                    destinationAccount: destination, destinationOwner: owner(of: destination), amount: amount)
            }
            switch DecodedTokenInstruction.decode(data: data, accounts: accounts.map { keys[$0] }) {
            case .mintTo(let mint, let destination, _, let amount), .mintToChecked(let mint, let destination, _, let amount, _):
                if mint == flby { movements.append(movement(.mint, from: nil, to: destination, amount)) }
            case .burn(let account, let mint, _, let amount), .burnChecked(let account, let mint, _, let amount, _):
                if mint == flby { movements.append(movement(.burn, from: account, to: nil, amount)) }
            case .transferChecked(let source, let mint, let destination, _, let amount, _):
                if mint == flby {
                    // On a mint with a transfer fee the destination receives less: `TransferFees` reads the fee. A
                    // transfer to its own source moves and withholds nothing (Token-2022 returns once it is checked).
                    if source != destination { feeTransfers.append(movements.count) }
                    movements.append(movement(.transfer, from: source, to: destination, amount))
                }
            case .transferCheckedWithFee(let source, let mint, let destination, _, let amount, _, let fee):
                if mint == flby {
                    let withheld = source == destination ? 0 : min(fee, amount)
                    movements.append(movement(.transfer, from: source, to: destination, amount - withheld))
                    if withheld > 0 { movements.append(movement(.feeWithheld, from: source, to: destination, withheld)) }
                }
            case .withdrawWithheldTokensFromMint(let mint, let destination, _),
                .withdrawWithheldTokensFromAccounts(let mint, let destination, _, _):
                if mint == flby { feeWithdrawals.append(movement(.feeWithdrawn, from: nil, to: destination, 0)) }
            case .transfer(let source, let destination, _, let amount):
                // A plain Transfer does not name its mint: the accounts' balances do.
                if (mint(of: source) ?? mint(of: destination)) == flby {
                    movements.append(movement(.transfer, from: source, to: destination, amount))
                }
            case .setAuthority(let account, _, TokenProgram.AuthorityType.accountOwner.rawValue, let newOwner?):
                if let at = keys.firstIndex(of: account) { ownerNow[at] = newOwner }
            case .initializeAccount(let account, let mint, let newOwner):
                if let at = keys.firstIndex(of: account) {
                    ownerNow[at] = newOwner
                    mintAt[at] = mint
                    opened[at] = true
                }
            default:
                break
            }
        }
        for (index, instruction) in fetched.transaction.message.instructions.enumerated() {
            step(index, nil, program: Int(instruction.programIDIndex), accounts: instruction.accounts.lazy.map(Int.init), data: instruction.data)
            // The first group for this instruction, as the node gives one per instruction.
            if let group = meta.innerInstructions.first(where: { $0.index == index }) {
                for (position, invoked) in group.instructions.enumerated() {
                    step(index, position, program: invoked.programIDIndex, accounts: invoked.accounts, data: invoked.data)
                }
            }
        }

        // FLBY balances after the transaction, and what the balances changed by; accounts in the order of their
        // base58 text.
        var flbyPositions = keys.indices.filter { flbyBefore[$0] != nil || flbyAfter[$0] != nil }
        if flbyPositions.count > 1 {
            flbyPositions = flbyPositions.map { (keys[$0].base58, $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        }
        // An FLBY account's owner: after the transaction, else (closed, or an account of another mint after) before.
        let flbyOwnerAt = keys.indices.map { flbyAfter[$0] == nil ? preOwnerAt[$0] ?? ownerAt[$0] : ownerAt[$0] }
        let flbyBalances = flbyPositions.map {
            FlbyAccountBalance(account: keys[$0], owner: flbyOwnerAt[$0], amount: flbyAfter[$0] ?? 0, preAmount: flbyBefore[$0])
        }
        if meta.error == nil, !flbyPositions.isEmpty {
            // The accounts opened and closed in the transaction too: a fee withheld in one is in no balance.
            let passing = keys.indices.filter { opened[$0] && flbyBefore[$0] == nil && flbyAfter[$0] == nil }
            var residuals = (flbyPositions + passing).map {
                (account: keys[$0], amount: residual(of: keys[$0], before: flbyBefore[$0], after: flbyAfter[$0], explainedBy: movements))
            }
            if !feeTransfers.isEmpty || !feeWithdrawals.isEmpty {
                TransferFees.read(into: &movements, residuals: &residuals, transfersChecked: feeTransfers, withdrawals: feeWithdrawals)
            }
            movements += balanceDerivedMovements(residuals: residuals, keys: keys, ownerAt: flbyOwnerAt)
        }

        var activity: [WalletActivity] = []
        var walletTokenAccounts: [WalletTokenAccount] = []
        for (role, wallet) in watched.wallets {
            var ownsTouchedTokenAccount = false
            for balances in [meta.preTokenBalances, meta.postTokenBalances] {
                for balance in balances where balance.owner == wallet {
                    ownsTouchedTokenAccount = true
                    if let account = key(balance.accountIndex), !walletTokenAccounts.contains(where: { $0.role == role && $0.account == account }) {
                        walletTokenAccounts.append(WalletTokenAccount(role: role, account: account))
                    }
                }
            }
            let index = keys.firstIndex(of: wallet)
            guard index != nil || ownsTouchedTokenAccount else { continue }
            var lamports: Int64 = 0
            var preLamports: UInt64?
            var postLamports: UInt64?
            if let index, meta.preBalances.indices.contains(index), meta.postBalances.indices.contains(index) {
                preLamports = meta.preBalances[index]
                postLamports = meta.postBalances[index]
                lamports = Int64(clamping: Int128(meta.postBalances[index]) - Int128(meta.preBalances[index]))
            }
            // What its accounts hold after less what they held before: an account given to another owner leaves
            // one wallet's holdings whole and joins the other's.
            var flbyDelta: Int128 = 0
            for at in flbyPositions {
                if ownerAt[at] == wallet { flbyDelta += Int128(flbyAfter[at] ?? 0) }
                if (preOwnerAt[at] ?? ownerAt[at]) == wallet { flbyDelta -= Int128(flbyBefore[at] ?? 0) }
            }
            activity.append(
                WalletActivity(
                    role: role, wallet: wallet, lamportsDelta: lamports, flbyDelta: flbyDelta, preLamports: preLamports,
                    postLamports: postLamports))
        }

        var programLogs: [ProgramLogLine] = []
        var programEvents: [ProgramEvent] = []
        if invokedWatchedProgram, let program = watched.programID, let logs = meta.logMessages.map(Array.init) {
            programLogs = ProgramLogFrames.ownLines(of: program, in: logs)
            programEvents = ProgramEvent.read(ProgramLogFrames.dataLines(of: program, in: logs), decoder: events)
        }
        var indexed = IndexedTransaction(
            signature: fetched.signature, slot: fetched.slot, blockTime: fetched.blockTime, fee: meta.fee, error: meta.error,
            memo: memos.isEmpty ? nil : memos.joined(separator: "; "), movements: movements, walletActivity: activity,
            flbyBalances: flbyBalances, programLogs: programLogs,
            namesWatchedAddress: keys.contains {
                $0 == watched.flbyMint || $0 == watched.escrowWallet || $0 == watched.feeWallet || $0 == watched.programID
            },
            failureLogs: meta.error == nil ? nil : meta.logMessages.map(Array.init))
        indexed.walletTokenAccounts = walletTokenAccounts
        indexed.programEvents = programEvents
        return indexed
    }

    /// What `account`'s balance changed by beyond what `movements` explain. A withheld fee leaves its source but
    /// does not reach its destination's amount.
    static func residual(of account: PublicKey, before: UInt64?, after: UInt64?, explainedBy movements: [FlbyMovement]) -> Int128 {
        var explained: Int128 = 0
        for movement in movements {
            if movement.sourceAccount == account { explained -= Int128(movement.amount) }
            if movement.destinationAccount == account, movement.kind != .feeWithheld { explained += Int128(movement.amount) }
        }
        return Int128(after ?? 0) - Int128(before ?? 0) - explained
    }

    /// The part of the balance changes the decoded movements do not explain (`residuals`, each FLBY account's), as
    /// movements: what one account lost and another gained is a transfer between them, an unmatched gain a mint, an
    /// unmatched loss a burn.
    static func balanceDerivedMovements(
        residuals: [(account: PublicKey, amount: Int128)], keys: [PublicKey], ownerAt: [PublicKey?]
    ) -> [FlbyMovement] {
        var losses: [(PublicKey, Int128)] = []
        var gains: [(PublicKey, Int128)] = []
        for (account, residual) in residuals {
            if residual < 0 { losses.append((account, -residual)) } else if residual > 0 { gains.append((account, residual)) }
        }
        func owner(of account: PublicKey?) -> PublicKey? {
            guard let account, let at = keys.firstIndex(of: account) else { return nil }
            return ownerAt[at]
        }
        func derived(_ kind: MovementKind, _ source: PublicKey?, _ destination: PublicKey?, _ amount: Int128) -> FlbyMovement {
            FlbyMovement(
                instructionIndex: FlbyMovement.balanceDerived, innerIndex: nil, kind: kind, sourceAccount: source,
                sourceOwner: owner(of: source), destinationAccount: destination, destinationOwner: owner(of: destination),
                amount: UInt64(clamping: amount))
        }
        var result: [FlbyMovement] = []
        var lossIndex = 0
        var gainIndex = 0
        while lossIndex < losses.count && gainIndex < gains.count {
            let amount = min(losses[lossIndex].1, gains[gainIndex].1)
            result.append(derived(.transfer, losses[lossIndex].0, gains[gainIndex].0, amount))
            losses[lossIndex].1 -= amount
            gains[gainIndex].1 -= amount
            if losses[lossIndex].1 == 0 { lossIndex += 1 }
            if gains[gainIndex].1 == 0 { gainIndex += 1 }
        }
        for (account, amount) in gains[gainIndex...] where amount > 0 { result.append(derived(.mint, nil, account, amount)) }
        for (account, amount) in losses[lossIndex...] where amount > 0 { result.append(derived(.burn, account, nil, amount)) }
        return result
    }
}
