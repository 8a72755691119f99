import FlutterbyeIndexer
import SolanaCore
import Testing

/// `TransactionMovements.extract` on transactions anyone can send: on their own token accounts, or paying into the
/// watched wallets. Each expectation is what the transaction's own balances say (the chain's figures): the FLBY the
/// balances gained less what they lost is what was minted less what was burned less what was withheld, each account's
/// movements add up to its balance change (0 for an account the transaction opened and closed: it has no balance
/// before or after), and a movement is the owner's that the balances show holding the account then.
struct HostileMovementsTests {
    static func key(_ byte: UInt8) -> PublicKey { try! Keypair(seed: [UInt8](repeating: byte, count: 32)).publicKey }

    let payer = try! Keypair(seed: [UInt8](repeating: 1, count: 32))
    let flby = key(2), otherMint = key(3)
    let aliceKeypair = try! Keypair(seed: [UInt8](repeating: 4, count: 32))
    var alice: PublicKey { aliceKeypair.publicKey }
    let bob = key(5), escrow = key(6), fee = key(7)
    let aliceFlby = key(8), bobFlby = key(9), escrowFlby = key(10), bobOther = key(12)
    /// Accounts a stranger creates in the transaction (their keys sign the System program's CreateAccount).
    let firstNew = try! Keypair(seed: [UInt8](repeating: 20, count: 32))
    let secondNew = try! Keypair(seed: [UInt8](repeating: 21, count: 32))
    let token = TokenProgram.token, token2022 = TokenProgram.token2022

    var watched: WatchedAddresses { WatchedAddresses(flbyMint: flby, escrowWallet: escrow, feeWallet: fee) }

    /// A token account's balance: (account, mint, owner, amount).
    typealias Holding = (account: PublicKey, mint: PublicKey, owner: PublicKey, amount: UInt64)

    /// A landed transaction of `instructions` signed by the payer, alice and `signers` as they are needed; its token
    /// balances are accounts of `program`.
    func transaction(
        _ instructions: [Instruction], signers: [Keypair] = [], program: TokenProgram = .token, pre: [Holding] = [],
        post: [Holding] = [], lamports: [PublicKey: (UInt64, UInt64)] = [:]
    ) throws -> FetchedTransaction {
        let message = try LegacyMessage(
            payer: payer.publicKey, instructions: instructions, recentBlockhash: try Blockhash(bytes: [UInt8](repeating: 7, count: 32)))
        let required = Set(VersionedMessage.legacy(message).requiredSigners)
        let signed = try Transaction(
            message: .legacy(message), signers: ([payer, aliceKeypair] + signers).filter { required.contains($0.publicKey) })
        let keys = message.accountKeys
        func index(_ key: PublicKey) throws -> Int { try #require(keys.firstIndex(of: key), "\(key.base58) is not in the message") }
        func balances(_ holdings: [Holding]) throws -> [TokenBalance] {
            try holdings.map {
                TokenBalance(
                    accountIndex: try index($0.account), mint: $0.mint, owner: $0.owner, programID: program.programID, amount: $0.amount,
                    decimals: 6)
            }
        }
        let meta = TransactionStatusMeta(
            error: nil, fee: 5_000, preBalances: keys.map { lamports[$0]?.0 ?? 1_000_000 },
            postBalances: keys.map { lamports[$0]?.1 ?? 1_000_000 }, preTokenBalances: try balances(pre),
            postTokenBalances: try balances(post), innerInstructions: [], logMessages: LogLines(["Program log: ok"]))
        return FetchedTransaction(signature: signed.id, slot: 42, blockTime: 1_700_000_000, transaction: signed, meta: meta)
    }

    // Instructions the SolanaCore builders do not make, laid out as spl-token lays them out.

    /// CloseAccount (9): `account`'s lamports go to `destination`; alice, its owner, signs.
    func close(_ account: PublicKey, to destination: PublicKey, program: TokenProgram = .token) -> Instruction {
        Instruction(
            programID: program.programID, accounts: [.writable(account), .writable(destination), .readonly(alice, signer: true)], data: [9])
    }

    /// Approve (4): alice lets `delegate` move `amount` of `account`.
    func approve(_ account: PublicKey, delegate: PublicKey, amount: UInt64) -> Instruction {
        Instruction(
            programID: token.programID, accounts: [.writable(account), .readonly(delegate), .readonly(alice, signer: true)],
            data: [4] + withUnsafeBytes(of: amount.littleEndian, Array.init))
    }

    /// HarvestWithheldTokensToMint (26, 4), which anyone may send: the fees withheld in `sources` move to the mint.
    func harvest(_ sources: [PublicKey]) -> Instruction {
        Instruction(programID: token2022.programID, accounts: [.writable(flby)] + sources.map { .writable($0) }, data: [26, 4])
    }

    /// The System program's CreateAccount of a token account at `account` (which signs), for `program`.
    func create(_ account: Keypair, program: TokenProgram = .token) -> Instruction {
        SystemProgram.createAccount(from: payer.publicKey, newAccount: account.publicKey, lamports: 2_039_280, space: 165, owner: program.programID)
    }

    // What the chain says, from the transaction's token balances alone.

    /// `account`'s FLBY after the transaction less before; an account with no FLBY balance then holds none.
    func chainChange(of account: PublicKey, _ fetched: FetchedTransaction) -> Int128 {
        let keys = fetched.accountKeys
        func amount(_ balances: [TokenBalance]) -> Int128 {
            balances.filter { keys[$0.accountIndex] == account && $0.mint == flby }.reduce(0) { $0 + Int128($1.amount) }
        }
        return amount(fetched.meta.postTokenBalances) - amount(fetched.meta.preTokenBalances)
    }

    /// What all FLBY accounts gained less what they lost.
    func chainChange(_ fetched: FetchedTransaction) -> Int128 {
        func amount(_ balances: [TokenBalance]) -> Int128 { balances.filter { $0.mint == flby }.reduce(0) { $0 + Int128($1.amount) } }
        return amount(fetched.meta.postTokenBalances) - amount(fetched.meta.preTokenBalances)
    }

    // What the index says: sums of the movements, as the views sum them.

    /// `flby_supply.supply`'s change: minted less burned.
    func supplyChange(_ movements: [FlbyMovement]) -> Int128 {
        movements.reduce(0) { $0 + ($1.kind == .mint ? Int128($1.amount) : $1.kind == .burn ? -Int128($1.amount) : 0) }
    }

    /// `flby_supply.withheld`'s change: fees withheld less fees withdrawn.
    func withheldChange(_ movements: [FlbyMovement]) -> Int128 {
        movements.reduce(0) { $0 + ($1.kind == .feeWithheld ? Int128($1.amount) : $1.kind == .feeWithdrawn ? -Int128($1.amount) : 0) }
    }

    /// What the movements brought `account` less what they took from it (a withheld fee leaves its source and is in no
    /// account's amount).
    func flow(of account: PublicKey, _ movements: [FlbyMovement]) -> Int128 {
        movements.reduce(0) { total, movement in
            var total = total
            if movement.sourceAccount == account { total -= Int128(movement.amount) }
            if movement.destinationAccount == account, movement.kind != .feeWithheld { total += Int128(movement.amount) }
            return total
        }
    }

    /// Every account a movement names or a token balance shows holding FLBY.
    func accounts(_ fetched: FetchedTransaction, _ movements: [FlbyMovement]) -> Set<PublicKey> {
        let keys = fetched.accountKeys
        var accounts = Set(movements.flatMap { [$0.sourceAccount, $0.destinationAccount].compactMap { $0 } })
        for balance in fetched.meta.preTokenBalances + fetched.meta.postTokenBalances where balance.mint == flby {
            accounts.insert(keys[balance.accountIndex])
        }
        return accounts
    }

    /// The ledger the views read adds up to the chain's: supply, withheld fees and each account's balance.
    func expectLedgerMatchesTheChain(
        _ fetched: FetchedTransaction, supplyChange expectedSupply: Int128, sourceLocation: SourceLocation = #_sourceLocation
    ) -> [FlbyMovement] {
        let movements = TransactionMovements.extract(fetched, watching: watched).movements
        #expect(supplyChange(movements) == expectedSupply, "minted less burned", sourceLocation: sourceLocation)
        #expect(
            withheldChange(movements) == expectedSupply - chainChange(fetched), "withheld: the supply's change the balances do not show",
            sourceLocation: sourceLocation)
        for account in accounts(fetched, movements) {
            #expect(
                flow(of: account, movements) == chainChange(of: account, fetched), "the movements of \(account.base58)",
                sourceLocation: sourceLocation)
        }
        return movements
    }

    /// Alice's account at `firstNew` sends `amount` to `destination` by a plain Transfer, is closed, and is created
    /// again at its address as an account of `mint` owned by `owner`.
    func reopening(
        sending amount: UInt64, to destination: PublicKey, asAccountOf mint: PublicKey, ownedBy owner: PublicKey, pre: [Holding],
        post: [Holding]
    ) throws -> FetchedTransaction {
        let reopened = firstNew.publicKey
        return try transaction(
            [
                token.transfer(source: reopened, destination: destination, owner: alice, amount: amount),
                close(reopened, to: alice),
                create(firstNew),
                token.initializeAccount3(account: reopened, mint: mint, owner: owner),
            ], signers: [firstNew], pre: pre, post: post)
    }

    /// A stranger's account of another mint sends its 100 by a plain Transfer (which names no mint), is closed, and is
    /// created again at its address as an FLBY account. Its token balances show the other mint before and FLBY after:
    /// the Transfer moved the other mint, no FLBY was minted, the supply did not change.
    @Test func aPlainTransferFromAnAccountLaterReopenedForFlbyMovesNoFlby() throws {
        let reopened = firstNew.publicKey
        let fetched = try reopening(
            sending: 100, to: bobOther, asAccountOf: flby, ownedBy: alice,
            pre: [(reopened, otherMint, alice, 100), (bobOther, otherMint, bob, 0)],
            post: [(reopened, flby, alice, 0), (bobOther, otherMint, bob, 100)])
        #expect(chainChange(fetched) == 0)
        let movements = expectLedgerMatchesTheChain(fetched, supplyChange: 0)
        #expect(movements.isEmpty, "the other mint's transfer is no FLBY movement: \(movements)")
    }

    /// Alice sends the 50 FLBY of her account by a plain Transfer, closes it, and creates it again at its address as an
    /// account of another mint owned by the escrow. Its balances show it alice's FLBY account before: the 50 left
    /// alice, not the escrow, whose FLBY holdings did not change.
    @Test func aPlainTransferFromAnAccountLaterReopenedForAnotherMintIsItsFormerOwners() throws {
        let reopened = firstNew.publicKey
        let fetched = try reopening(
            sending: 50, to: bobFlby, asAccountOf: otherMint, ownedBy: escrow,
            pre: [(reopened, flby, alice, 50), (bobFlby, flby, bob, 0)],
            post: [(reopened, otherMint, escrow, 0), (bobFlby, flby, bob, 50)])
        let movements = expectLedgerMatchesTheChain(fetched, supplyChange: 0)
        #expect(
            movements == [
                FlbyMovement(
                    instructionIndex: 0, innerIndex: nil, kind: .transfer, sourceAccount: reopened, sourceOwner: alice,
                    destinationAccount: bobFlby, destinationOwner: bob, amount: 50)
            ])
        let indexed = TransactionMovements.extract(fetched, watching: watched)
        #expect(
            indexed.flbyBalances.contains(FlbyAccountBalance(account: reopened, owner: alice, amount: 0, preAmount: 50)),
            "the FLBY account was alice's; the escrow owns the other mint's account: \(indexed.flbyBalances)")
        #expect(indexed.walletActivity.map(\.flbyDelta) == [0])
    }

    /// On a mint with a transfer fee of 1% (Token-2022 rounds a fee up), a stranger opens an account, receives 1,000 in
    /// it (990 arrive, 10 are withheld in it), sends the 990 on (980 arrive, 10 are withheld), harvests its fee to the
    /// mint (anyone may) and closes it. The balances lost 20 and nothing was minted or burned: 20 are withheld, 10 of
    /// them from the account opened here.
    @Test func aFeeWithheldInAnAccountOpenedAndClosedInTheTransactionIsWithheld() throws {
        let passing = firstNew.publicKey
        let fetched = try transaction(
            [
                create(firstNew, program: token2022),
                token2022.initializeAccount3(account: passing, mint: flby, owner: alice),
                token2022.transferChecked(source: aliceFlby, mint: flby, destination: passing, owner: alice, amount: 1_000, decimals: 6),
                token2022.transferChecked(source: passing, mint: flby, destination: bobFlby, owner: alice, amount: 990, decimals: 6),
                harvest([passing]),
                close(passing, to: alice, program: token2022),
            ], signers: [firstNew], program: token2022,
            pre: [(aliceFlby, flby, alice, 1_000), (bobFlby, flby, bob, 0)], post: [(aliceFlby, flby, alice, 0), (bobFlby, flby, bob, 980)])
        #expect(chainChange(fetched) == -20)
        let movements = expectLedgerMatchesTheChain(fetched, supplyChange: 0)
        #expect(
            movements.filter { $0.destinationAccount == passing }.map { [$0.kind.rawValue, "\($0.amount)"] } == [
                ["transfer", "990"], ["fee_withheld", "10"],
            ])
    }

    /// Two accounts opened and closed in the transaction pass 100 FLBY between them by a plain Transfer, which names
    /// no mint and neither has a token balance: the 100 still went from one to the other.
    @Test func aPlainTransferBetweenAccountsOpenedAndClosedInTheTransactionIsAMovement() throws {
        let first = firstNew.publicKey
        let second = secondNew.publicKey
        let fetched = try transaction(
            [
                create(firstNew), token.initializeAccount3(account: first, mint: flby, owner: alice),
                create(secondNew), token.initializeAccount3(account: second, mint: flby, owner: alice),
                token.transfer(source: aliceFlby, destination: first, owner: alice, amount: 100),
                token.transfer(source: first, destination: second, owner: alice, amount: 100),
                token.transfer(source: second, destination: bobFlby, owner: alice, amount: 100),
                close(first, to: alice), close(second, to: alice),
            ], signers: [firstNew, secondNew],
            pre: [(aliceFlby, flby, alice, 100), (bobFlby, flby, bob, 0)], post: [(aliceFlby, flby, alice, 0), (bobFlby, flby, bob, 100)])
        let movements = expectLedgerMatchesTheChain(fetched, supplyChange: 0)
        #expect(movements.contains { $0.sourceAccount == first && $0.destinationAccount == second && $0.amount == 100 && $0.sourceOwner == alice })
    }

    /// p-token's Batch (255, the Token program's instruction since SIMD-0266): the instructions in its data run one
    /// after another, each with the next of its accounts, and none is an invoked instruction.
    func batch(_ parts: [Instruction]) -> Instruction {
        Instruction(
            programID: token.programID, accounts: parts.flatMap(\.accounts),
            data: [255] + parts.flatMap { [UInt8($0.accounts.count), UInt8($0.data.count)] + $0.data })
    }

    /// In one Batch, alice sends 50 FLBY to bob, burns 10 and then makes the escrow her account's owner: the 50 and
    /// the 10 left while the account was alice's (as its balance before says), and the escrow's FLBY accounts went
    /// from none to the 940 left.
    @Test func whatABatchMovesBeforeItGivesTheAccountAwayIsTheFormerOwners() throws {
        let fetched = try transaction(
            [
                batch([
                    token.transfer(source: aliceFlby, destination: bobFlby, owner: alice, amount: 50),
                    token.burn(account: aliceFlby, mint: flby, owner: alice, amount: 10),
                    token.setAuthority(account: aliceFlby, currentAuthority: alice, authorityType: .accountOwner, newAuthority: escrow),
                ])
            ],
            pre: [(aliceFlby, flby, alice, 1_000), (bobFlby, flby, bob, 0)], post: [(aliceFlby, flby, escrow, 940), (bobFlby, flby, bob, 50)])
        let movements = expectLedgerMatchesTheChain(fetched, supplyChange: -10)
        #expect(
            movements == [
                FlbyMovement(
                    instructionIndex: 0, innerIndex: nil, kind: .transfer, sourceAccount: aliceFlby, sourceOwner: alice,
                    destinationAccount: bobFlby, destinationOwner: bob, amount: 50),
                FlbyMovement(
                    instructionIndex: 0, innerIndex: nil, kind: .burn, sourceAccount: aliceFlby, sourceOwner: alice, destinationAccount: nil,
                    destinationOwner: nil, amount: 10),
            ])
        #expect(TransactionMovements.extract(fetched, watching: watched).walletActivity.map(\.flbyDelta) == [940])
    }

    // Cases the other tests do not cover, where the index is right: they pin it down.

    /// Alice approves bob, who as her delegate sends 30 of her FLBY to the escrow and burns 5: both are alice's
    /// movements (her account's), not bob's, and the escrow's FLBY grew by 30.
    @Test func whatADelegateMovesIsTheAccountOwners() throws {
        let bobKeypair = try Keypair(seed: [UInt8](repeating: 5, count: 32))
        let fetched = try transaction(
            [
                approve(aliceFlby, delegate: bob, amount: 35),
                token.transferChecked(source: aliceFlby, mint: flby, destination: escrowFlby, owner: bob, amount: 30, decimals: 6),
                token.burn(account: aliceFlby, mint: flby, owner: bob, amount: 5),
            ], signers: [bobKeypair],
            pre: [(aliceFlby, flby, alice, 100), (escrowFlby, flby, escrow, 0)], post: [(aliceFlby, flby, alice, 65), (escrowFlby, flby, escrow, 30)])
        let movements = expectLedgerMatchesTheChain(fetched, supplyChange: -5)
        #expect(movements.map(\.sourceOwner) == [alice, alice])
        #expect(
            TransactionMovements.extract(fetched, watching: watched).walletActivity == [
                WalletActivity(role: .escrow, wallet: escrow, lamportsDelta: 0, flbyDelta: 30)
            ])
    }

    /// A stranger closes their empty FLBY account with its rent going to the escrow wallet: the escrow's lamports grew
    /// by the rent, its FLBY did not change, nothing moved.
    @Test func anAccountClosedIntoTheEscrowIsItsLamportsOnly() throws {
        let fetched = try transaction(
            [close(aliceFlby, to: escrow)], pre: [(aliceFlby, flby, alice, 0)],
            lamports: [aliceFlby: (2_039_280, 0), escrow: (1_000_000, 3_039_280)])
        let indexed = TransactionMovements.extract(fetched, watching: watched)
        #expect(indexed.movements.isEmpty)
        #expect(
            indexed.walletActivity == [
                WalletActivity(role: .escrow, wallet: escrow, lamportsDelta: 2_039_280, flbyDelta: 0, preLamports: 1_000_000, postLamports: 3_039_280)
            ])
        #expect(indexed.flbyBalances == [FlbyAccountBalance(account: aliceFlby, owner: alice, amount: 0, preAmount: 0)])
    }

    /// Alice empties and closes her account, creates it again at its address for the escrow, and bob sends 10 into it:
    /// the 10 reached the escrow's account, and the 40 that left it earlier were alice's.
    @Test func anAccountReopenedForTheEscrowIsTheEscrowsFromItsInitialization() throws {
        let reopened = firstNew.publicKey
        let bobKeypair = try Keypair(seed: [UInt8](repeating: 5, count: 32))
        let fetched = try transaction(
            [
                token.transferChecked(source: reopened, mint: flby, destination: bobFlby, owner: alice, amount: 40, decimals: 6),
                close(reopened, to: alice),
                create(firstNew),
                token.initializeAccount3(account: reopened, mint: flby, owner: escrow),
                token.transfer(source: bobFlby, destination: reopened, owner: bob, amount: 10),
            ], signers: [firstNew, bobKeypair],
            pre: [(reopened, flby, alice, 40), (bobFlby, flby, bob, 0)], post: [(reopened, flby, escrow, 10), (bobFlby, flby, bob, 30)])
        let movements = expectLedgerMatchesTheChain(fetched, supplyChange: 0)
        #expect(movements.map(\.sourceOwner) == [alice, bob] && movements.map(\.destinationOwner) == [bob, escrow])
        // The escrow's accounts went from none to 10 (alice's 40 before were not the escrow's).
        #expect(TransactionMovements.extract(fetched, watching: watched).walletActivity.map(\.flbyDelta) == [10])
    }

    /// Transfers of nothing, and of an account to itself, into and out of the escrow's account: nothing changes.
    @Test func transfersOfNothingAndToItselfChangeNothing() throws {
        let fetched = try transaction(
            [
                token.transfer(source: aliceFlby, destination: escrowFlby, owner: alice, amount: 0),
                token.transferChecked(source: aliceFlby, mint: flby, destination: aliceFlby, owner: alice, amount: 70, decimals: 6),
                token.transfer(source: aliceFlby, destination: aliceFlby, owner: alice, amount: 70),
                token.burn(account: aliceFlby, mint: flby, owner: alice, amount: 0),
            ],
            pre: [(aliceFlby, flby, alice, 70), (escrowFlby, flby, escrow, 5)], post: [(aliceFlby, flby, alice, 70), (escrowFlby, flby, escrow, 5)])
        _ = expectLedgerMatchesTheChain(fetched, supplyChange: 0)
        #expect(TransactionMovements.extract(fetched, watching: watched).walletActivity.map(\.flbyDelta) == [0])
    }

    /// A stranger burns FLBY through an account opened and closed in the transaction (it has no token balance): the
    /// burn is in the supply.
    @Test func aBurnFromAnAccountOpenedAndClosedInTheTransactionCounts() throws {
        let passing = firstNew.publicKey
        let fetched = try transaction(
            [
                create(firstNew), token.initializeAccount3(account: passing, mint: flby, owner: alice),
                token.transferChecked(source: aliceFlby, mint: flby, destination: passing, owner: alice, amount: 60, decimals: 6),
                token.burnChecked(account: passing, mint: flby, owner: alice, amount: 60, decimals: 6),
                close(passing, to: alice),
            ], signers: [firstNew],
            pre: [(aliceFlby, flby, alice, 60)], post: [(aliceFlby, flby, alice, 0)])
        _ = expectLedgerMatchesTheChain(fetched, supplyChange: -60)
    }
}
