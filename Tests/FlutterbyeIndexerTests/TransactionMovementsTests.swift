import FlutterbyeIndexer
import Foundation
import SolanaCore
import Testing

/// `TransactionMovements.extract` on transactions composed here: which instructions are FLBY movements, the mint of a
/// plain Transfer, instructions invoked through another program, failures, movements only the balances show, the
/// wallets' activity, memos and program logs.
struct TransactionMovementsTests {
    static func key(_ byte: UInt8) -> PublicKey { try! Keypair(seed: [UInt8](repeating: byte, count: 32)).publicKey }

    let payer = try! Keypair(seed: [UInt8](repeating: 1, count: 32))
    let flby = key(2), otherMint = key(3)
    let aliceKeypair = try! Keypair(seed: [UInt8](repeating: 4, count: 32))
    var alice: PublicKey { aliceKeypair.publicKey }
    let bob = key(5), escrow = key(6), fee = key(7)
    let aliceFlby = key(8), bobFlby = key(9), escrowFlby = key(10), aliceOther = key(11), bobOther = key(12)
    let router = key(13), flutterbye = key(14)
    let token = TokenProgram.token, token2022 = TokenProgram.token2022

    var watched: WatchedAddresses { WatchedAddresses(flbyMint: flby, escrowWallet: escrow, feeWallet: fee, programID: flutterbye) }

    /// A token account's balance: (account, mint, owner, amount).
    typealias Holding = (account: PublicKey, mint: PublicKey, owner: PublicKey, amount: UInt64)

    /// A landed transaction of `instructions`, with `invoked[i]` run (through CPI) by top-level instruction `i`; a
    /// top-level `router` instruction lists the accounts its invocations use, as a real caller must.
    func transaction(
        _ instructions: [Instruction], invoked: [Int: [Instruction]] = [:], pre: [Holding] = [], post: [Holding] = [],
        lamports: [PublicKey: (UInt64, UInt64)] = [:], error: JSONValue? = nil, logs: [String] = ["Program log: ok"]
    ) throws -> FetchedTransaction {
        let message = try LegacyMessage(
            payer: payer.publicKey, instructions: instructions, recentBlockhash: try Blockhash(bytes: [UInt8](repeating: 7, count: 32)))
        let required = Set(VersionedMessage.legacy(message).requiredSigners)
        let signed = try Transaction(message: .legacy(message), signers: [payer, aliceKeypair].filter { required.contains($0.publicKey) })
        let keys = message.accountKeys
        func index(_ key: PublicKey) throws -> Int { try #require(keys.firstIndex(of: key), "\(key.base58) is not in the message") }
        var inner: [InnerInstructions] = []
        for (position, list) in invoked.sorted(by: { $0.key < $1.key }) {
            var compiled: [InnerInstruction] = []
            for instruction in list {
                compiled.append(
                    InnerInstruction(
                        programIDIndex: try index(instruction.programID), accounts: try instruction.accounts.map { try index($0.publicKey) },
                        data: instruction.data, stackHeight: 2))
            }
            inner.append(InnerInstructions(index: position, instructions: compiled))
        }
        func balances(_ holdings: [Holding]) throws -> [TokenBalance] {
            try holdings.map {
                TokenBalance(
                    accountIndex: try index($0.account), mint: $0.mint, owner: $0.owner, programID: token.programID, amount: $0.amount, decimals: 6)
            }
        }
        let preLamports = keys.map { lamports[$0]?.0 ?? 1_000_000 }
        let postLamports = keys.map { lamports[$0]?.1 ?? 1_000_000 }
        let meta = TransactionStatusMeta(
            error: error, fee: 5_000, preBalances: preLamports, postBalances: postLamports, preTokenBalances: try balances(pre),
            postTokenBalances: try balances(post), innerInstructions: inner, logMessages: LogLines(logs))
        return FetchedTransaction(signature: signed.id, slot: 42, blockTime: 1_700_000_000, transaction: signed, meta: meta)
    }

    /// A top-level instruction of `router` naming every account (and program) `invoked` uses.
    func routerCall(for invoked: [Instruction]) -> Instruction {
        var accounts: [AccountMeta] = []
        for instruction in invoked {
            accounts.append(.readonly(instruction.programID))
            for meta in instruction.accounts where !accounts.contains(where: { $0.publicKey == meta.publicKey }) {
                accounts.append(.writable(meta.publicKey))
            }
        }
        return Instruction(programID: router, accounts: accounts, data: [1])
    }

    @Test func mintsAndBurnsOfFlbyCountAndOtherMintsDoNot() throws {
        let fetched = try transaction(
            [
                token.mintTo(mint: flby, destination: aliceFlby, authority: payer.publicKey, amount: 500),
                token.mintTo(mint: otherMint, destination: aliceOther, authority: payer.publicKey, amount: 7),
                token.burnChecked(account: aliceFlby, mint: flby, owner: alice, amount: 200, decimals: 6),
            ],
            pre: [(aliceFlby, flby, alice, 0), (aliceOther, otherMint, alice, 0)],
            post: [(aliceFlby, flby, alice, 300), (aliceOther, otherMint, alice, 7)])
        let indexed = TransactionMovements.extract(fetched, watching: watched)
        #expect(
            indexed.movements == [
                FlbyMovement(
                    instructionIndex: 0, innerIndex: nil, kind: .mint, sourceAccount: nil, sourceOwner: nil, destinationAccount: aliceFlby,
                    destinationOwner: alice, amount: 500),
                FlbyMovement(
                    instructionIndex: 2, innerIndex: nil, kind: .burn, sourceAccount: aliceFlby, sourceOwner: alice, destinationAccount: nil,
                    destinationOwner: nil, amount: 200),
            ])
        #expect(indexed.flbyBalances == [FlbyAccountBalance(account: aliceFlby, owner: alice, amount: 300, preAmount: 0)])
        #expect(indexed.failureLogs == nil, "a transaction that succeeded keeps no log lines")
        #expect(indexed.walletActivity.isEmpty && indexed.memo == nil && indexed.programLogs.isEmpty)
        #expect(indexed.isRelevant)
    }

    @Test func aPlainTransferIsFlbyWhenItsAccountsHoldFlby() throws {
        let fetched = try transaction(
            [
                token.transfer(source: aliceFlby, destination: bobFlby, owner: alice, amount: 40),
                token.transfer(source: aliceOther, destination: bobOther, owner: alice, amount: 3),
            ],
            pre: [(aliceFlby, flby, alice, 100), (bobFlby, flby, bob, 0), (aliceOther, otherMint, alice, 3), (bobOther, otherMint, bob, 0)],
            post: [(aliceFlby, flby, alice, 60), (bobFlby, flby, bob, 40), (aliceOther, otherMint, alice, 0), (bobOther, otherMint, bob, 3)])
        let indexed = TransactionMovements.extract(fetched, watching: watched)
        #expect(
            indexed.movements == [
                FlbyMovement(
                    instructionIndex: 0, innerIndex: nil, kind: .transfer, sourceAccount: aliceFlby, sourceOwner: alice,
                    destinationAccount: bobFlby, destinationOwner: bob, amount: 40)
            ])
    }

    @Test func instructionsAProgramInvokedCountWithTheirPosition() throws {
        let invoked = [
            token2022.transferChecked(source: aliceFlby, mint: flby, destination: escrowFlby, owner: alice, amount: 25, decimals: 6),
            MemoProgram.memo("deposit 7"),
            token2022.burn(account: aliceFlby, mint: flby, owner: alice, amount: 5),
        ]
        let fetched = try transaction(
            [routerCall(for: invoked)], invoked: [0: invoked],
            pre: [(aliceFlby, flby, alice, 30), (escrowFlby, flby, escrow, 0)], post: [(aliceFlby, flby, alice, 0), (escrowFlby, flby, escrow, 25)])
        let indexed = TransactionMovements.extract(fetched, watching: watched)
        #expect(indexed.movements.map { [$0.instructionIndex, $0.innerIndex ?? -9] } == [[0, 0], [0, 2]])
        #expect(indexed.movements.map(\.kind) == [.transfer, .burn])
        #expect(indexed.memo == "deposit 7")
        // The escrow's token account received 25 FLBY: that is the escrow's activity, though the wallet itself is
        // not among the transaction's accounts.
        #expect(indexed.walletActivity == [WalletActivity(role: .escrow, wallet: escrow, lamportsDelta: 0, flbyDelta: 25)])
    }

    @Test func aFailedTransactionMovesNothingButItsFeeIsTheWalletsActivity() throws {
        let fetched = try transaction(
            [
                SystemProgram.transfer(from: payer.publicKey, to: fee, lamports: 1_000),
                token.mintTo(mint: flby, destination: aliceFlby, authority: payer.publicKey, amount: 500),
            ],
            pre: [(aliceFlby, flby, alice, 10)], post: [(aliceFlby, flby, alice, 10)],
            lamports: [payer.publicKey: (50_000, 45_000)], error: .object(["InstructionError": .array([.int(1), .string("Custom")])]))
        let indexed = TransactionMovements.extract(fetched, watching: watched)
        #expect(indexed.movements.isEmpty)
        #expect(indexed.error != nil && indexed.fee == 5_000)
        #expect(indexed.failureLogs == ["Program log: ok"])
        #expect(
            indexed.walletActivity == [
                WalletActivity(role: .fee, wallet: fee, lamportsDelta: 0, flbyDelta: 0, preLamports: 1_000_000, postLamports: 1_000_000)
            ])
        #expect(indexed.isRelevant)
    }

    @Test func balanceChangesNoDecodedInstructionExplainsBecomeMovements() throws {
        // An undecoded instruction (another program's) moved FLBY: alice lost 30, bob gained 20, 10 disappeared.
        let fetched = try transaction(
            [Instruction(programID: router, accounts: [.writable(aliceFlby), .writable(bobFlby)], data: [9])],
            pre: [(aliceFlby, flby, alice, 30), (bobFlby, flby, bob, 0)], post: [(aliceFlby, flby, alice, 0), (bobFlby, flby, bob, 20)])
        let movements = TransactionMovements.extract(fetched, watching: watched).movements
        #expect(movements.allSatisfy { $0.instructionIndex == FlbyMovement.balanceDerived })
        #expect(movements.map(\.kind) == [.transfer, .burn])
        #expect(movements.map(\.amount) == [20, 10])
        #expect(movements[0].sourceAccount == aliceFlby && movements[0].destinationAccount == bobFlby && movements[0].destinationOwner == bob)
        // Decoded movements that explain the balances add nothing.
        let explained = try transaction(
            [token.transfer(source: aliceFlby, destination: bobFlby, owner: alice, amount: 30)],
            pre: [(aliceFlby, flby, alice, 30), (bobFlby, flby, bob, 0)], post: [(aliceFlby, flby, alice, 0), (bobFlby, flby, bob, 30)])
        #expect(TransactionMovements.extract(explained, watching: watched).movements.count == 1)
    }

    @Test func walletsLamportsMemosAndTheProgramsLogs() throws {
        let fetched = try transaction(
            [
                SystemProgram.transfer(from: payer.publicKey, to: fee, lamports: 2_500),
                Instruction(programID: TransactionMovements.memoV1, accounts: [], data: Array("order 1".utf8)),
                MemoProgram.memo("paid"),
                Instruction(programID: flutterbye, accounts: [.writable(escrow)], data: [0]),
            ],
            lamports: [payer.publicKey: (100_000, 92_500), fee: (0, 2_500), escrow: (7, 7)],
            logs: [
                "Program \(MemoProgram.programID.base58) invoke [1]", "Program log: Memo (len 4): \"paid\"",
                "Program \(MemoProgram.programID.base58) success",
                "Program \(flutterbye.base58) invoke [1]", "Program log: flutterbye ok", "Program \(flutterbye.base58) success",
            ])
        let indexed = TransactionMovements.extract(fetched, watching: watched)
        #expect(indexed.memo == "order 1; paid")
        #expect(
            indexed.programLogs.map(\.text) == [
                "Program \(flutterbye.base58) invoke [1]", "Program log: flutterbye ok", "Program \(flutterbye.base58) success",
            ])
        #expect(indexed.programLogs.map(\.index) == [3, 4, 5] && indexed.programLogs.allSatisfy { $0.depth == 1 })
        #expect(
            Set(indexed.walletActivity) == [
                WalletActivity(role: .fee, wallet: fee, lamportsDelta: 2_500, flbyDelta: 0, preLamports: 0, postLamports: 2_500),
                WalletActivity(role: .escrow, wallet: escrow, lamportsDelta: 0, flbyDelta: 0, preLamports: 7, postLamports: 7),
            ])
        #expect(indexed.movements.isEmpty && indexed.flbyBalances.isEmpty)
    }

    /// The program's `Program data:` lines become events: decoded with its IDL, raw without one or when no event of
    /// the IDL starts with the data; another program's data lines are not the program's.
    @Test func theProgramsDataLinesAreItsEvents() throws {
        let idl = try AnchorIDL(
            json: Data(
                #"""
                {"instructions": [], "events": [{"name": "Paid", "discriminator": [1, 2, 3, 4, 5, 6, 7, 8]}],
                 "types": [{"name": "Paid", "type": {"kind": "struct", "fields": [{"name": "lamports", "type": "u64"}]}}]}
                """#.utf8))
        let paid = Data([1, 2, 3, 4, 5, 6, 7, 8, 0x10, 0x27, 0, 0, 0, 0, 0, 0]).base64EncodedString()
        let id = flutterbye.base58
        let fetched = try transaction(
            [Instruction(programID: flutterbye, accounts: [.writable(escrow)], data: [0])], lamports: [escrow: (7, 7)],
            logs: [
                "Program \(id) invoke [1]", "Program data: \(paid)", "Program \(MemoProgram.programID.base58) invoke [2]",
                "Program data: \(paid)", "Program \(MemoProgram.programID.base58) success", "Program data: CQkJCQkJCQkJ",
                "Program \(id) success",
            ])
        let decoded = TransactionMovements.extract(fetched, watching: watched, events: AnchorEventDecoder(idl: idl)).programEvents
        #expect(decoded.map(\.lineIndex) == [1, 5])
        #expect(decoded.first?.name == "Paid" && decoded.first?.fields == .object(["lamports": .string("10000")]))
        #expect(decoded.last?.name == nil && decoded.last?.data == [UInt8](repeating: 9, count: 9))
        let raw = TransactionMovements.extract(fetched, watching: watched).programEvents
        #expect(raw.map(\.name) == [nil, nil] && raw.first?.data.count == 16)
    }

    @Test func anInvokedInstructionNamingAnAccountTheTransactionLacksIsLeftOut() throws {
        var fetched = try transaction(
            [token.mintTo(mint: flby, destination: aliceFlby, authority: payer.publicKey, amount: 5)],
            pre: [(aliceFlby, flby, alice, 0)], post: [(aliceFlby, flby, alice, 5)])
        let tokenIndex = try #require(fetched.accountKeys.firstIndex(of: token.programID))
        // A malformed answer: an invoked MintTo whose destination index is past the transaction's accounts.
        let mintTo = token.mintTo(mint: flby, destination: aliceFlby, authority: payer.publicKey, amount: 1_000)
        fetched.meta.innerInstructions = [
            InnerInstructions(
                index: 0,
                instructions: [
                    InnerInstruction(programIDIndex: tokenIndex, accounts: [0, 99, 1], data: mintTo.data)
                ])
        ]
        let movements = TransactionMovements.extract(fetched, watching: watched).movements
        #expect(movements.map(\.amount) == [5], "only the top-level MintTo; the malformed one is not read with shifted accounts")
    }

    /// Alice sends 100 from her FLBY account, then makes the escrow its owner (SetAuthority, AccountOwner): the 100 were
    /// alice's, and the escrow's token accounts went from holding nothing to holding the 900 left.
    @Test func anAccountGivenToAnotherOwnerIsTheirsOnlyFromThen() throws {
        let fetched = try transaction(
            [
                token.transfer(source: aliceFlby, destination: bobFlby, owner: alice, amount: 100),
                token.setAuthority(account: aliceFlby, currentAuthority: alice, authorityType: .accountOwner, newAuthority: escrow),
            ],
            pre: [(aliceFlby, flby, alice, 1_000), (bobFlby, flby, bob, 0)], post: [(aliceFlby, flby, escrow, 900), (bobFlby, flby, bob, 100)])
        let indexed = TransactionMovements.extract(fetched, watching: watched)
        #expect(
            indexed.movements == [
                FlbyMovement(
                    instructionIndex: 0, innerIndex: nil, kind: .transfer, sourceAccount: aliceFlby, sourceOwner: alice,
                    destinationAccount: bobFlby, destinationOwner: bob, amount: 100)
            ])
        #expect(indexed.walletActivity == [WalletActivity(role: .escrow, wallet: escrow, lamportsDelta: 0, flbyDelta: 900)])
        #expect(indexed.flbyBalances.contains(FlbyAccountBalance(account: aliceFlby, owner: escrow, amount: 900, preAmount: 1_000)))
    }

    @Test func anUnrelatedTransactionIsNotRelevant() throws {
        let fetched = try transaction(
            [
                SystemProgram.transfer(from: payer.publicKey, to: bob, lamports: 10),
                token.transfer(source: aliceOther, destination: bobOther, owner: alice, amount: 1),
            ],
            pre: [(aliceOther, otherMint, alice, 1), (bobOther, otherMint, bob, 0)],
            post: [(aliceOther, otherMint, alice, 0), (bobOther, otherMint, bob, 1)])
        #expect(!TransactionMovements.extract(fetched, watching: watched).isRelevant)
    }
}
