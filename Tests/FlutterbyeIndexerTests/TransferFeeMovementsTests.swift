import FlutterbyeIndexer
import SolanaCore
import Testing

/// Token-2022 transfer fees in `TransactionMovements.extract` (transactions composed here; the local chain's
/// `transferFeesAreNeitherBurnsNorMints` runs the real program): a fee withheld in the receiving account, a fee a
/// TransferChecked does not state, withdrawals, and amounts at the ends of their type.
extension TransactionMovementsTests {
    /// TransferCheckedWithFee (26, 1) as spl-token-2022 lays it out.
    func transferCheckedWithFee(from source: PublicKey, to destination: PublicKey, amount: UInt64, fee: UInt64) -> Instruction {
        var data: [UInt8] = [26, 1]
        data += withUnsafeBytes(of: amount.littleEndian, Array.init) + [6] + withUnsafeBytes(of: fee.littleEndian, Array.init)
        return Instruction(
            programID: token2022.programID, accounts: [.writable(source), .readonly(flby), .writable(destination), .readonly(alice, signer: true)],
            data: data)
    }

    /// WithdrawWithheldTokensFromMint (26, 2) into `destination`, the payer as the withdraw authority.
    func withdrawFromMint(to destination: PublicKey) -> Instruction {
        Instruction(
            programID: token2022.programID, accounts: [.writable(flby), .writable(destination), .readonly(payer.publicKey, signer: true)],
            data: [26, 2])
    }

    func movement(_ kind: MovementKind, _ index: Int, _ source: PublicKey?, _ destination: PublicKey?, _ amount: UInt64) -> FlbyMovement {
        FlbyMovement(
            instructionIndex: index, innerIndex: nil, kind: kind, sourceAccount: source, sourceOwner: source == nil ? nil : alice,
            destinationAccount: destination, destinationOwner: destination == nil ? nil : (destination == escrowFlby ? escrow : bob),
            amount: amount)
    }

    @Test func aFeeStatedByTheTransferIsWithheldNotBurned() throws {
        let fetched = try transaction(
            [transferCheckedWithFee(from: aliceFlby, to: bobFlby, amount: 5_001, fee: 51)],
            pre: [(aliceFlby, flby, alice, 10_000), (bobFlby, flby, bob, 0)], post: [(aliceFlby, flby, alice, 4_999), (bobFlby, flby, bob, 4_950)])
        #expect(
            TransactionMovements.extract(fetched, watching: watched).movements == [
                movement(.transfer, 0, aliceFlby, bobFlby, 4_950), movement(.feeWithheld, 0, aliceFlby, bobFlby, 51),
            ])
    }

    @Test func whatATransferCheckedDidNotDeliverIsItsFee() throws {
        let fetched = try transaction(
            [
                token2022.transferChecked(source: aliceFlby, mint: flby, destination: bobFlby, owner: alice, amount: 10_000, decimals: 6),
                token2022.burnChecked(account: aliceFlby, mint: flby, owner: alice, amount: 7, decimals: 6),
            ],
            pre: [(aliceFlby, flby, alice, 20_000), (bobFlby, flby, bob, 0)], post: [(aliceFlby, flby, alice, 9_993), (bobFlby, flby, bob, 9_900)])
        #expect(
            TransactionMovements.extract(fetched, watching: watched).movements == [
                movement(.transfer, 0, aliceFlby, bobFlby, 9_900), movement(.feeWithheld, 0, aliceFlby, bobFlby, 100),
                movement(.burn, 1, aliceFlby, nil, 7),
            ])
    }

    @Test func severalTransfersIntoOneAccountShareItsShortfallByTheirAmounts() throws {
        let fetched = try transaction(
            [
                token2022.transferChecked(source: aliceFlby, mint: flby, destination: bobFlby, owner: alice, amount: 3_000, decimals: 6),
                token2022.transferChecked(source: aliceFlby, mint: flby, destination: bobFlby, owner: alice, amount: 777, decimals: 6),
            ],
            pre: [(aliceFlby, flby, alice, 3_777), (bobFlby, flby, bob, 0)], post: [(aliceFlby, flby, alice, 0), (bobFlby, flby, bob, 3_739)])
        let movements = TransactionMovements.extract(fetched, watching: watched).movements
        try #require(movements.map(\.kind) == [.transfer, .feeWithheld, .transfer, .feeWithheld])
        #expect(movements.map(\.instructionIndex) == [0, 0, 1, 1])
        #expect(movements[0].amount + movements[1].amount == 3_000 && movements[2].amount + movements[3].amount == 777)
        #expect(movements[1].amount + movements[3].amount == 38)
    }

    @Test func aWithdrawalOfWithheldFeesIsNotAMint() throws {
        let fetched = try transaction(
            [withdrawFromMint(to: escrowFlby)], pre: [(escrowFlby, flby, escrow, 10)], post: [(escrowFlby, flby, escrow, 399)])
        #expect(TransactionMovements.extract(fetched, watching: watched).movements == [movement(.feeWithdrawn, 0, nil, escrowFlby, 389)])
    }

    @Test func amountsAtTheEndsOfTheirTypeDoNotTrap() throws {
        // A node's answer where two transfers of nearly 2^64 each delivered 5: the shortfall exceeds 2^64.
        let fetched = try transaction(
            [
                token2022.transferChecked(source: aliceFlby, mint: flby, destination: bobFlby, owner: alice, amount: .max, decimals: 6),
                token2022.transferChecked(source: escrowFlby, mint: flby, destination: bobFlby, owner: alice, amount: .max - 1, decimals: 6),
                transferCheckedWithFee(from: aliceFlby, to: bobFlby, amount: 3, fee: .max),
            ],
            pre: [(aliceFlby, flby, alice, .max), (escrowFlby, flby, escrow, .max), (bobFlby, flby, bob, 0)],
            post: [(aliceFlby, flby, alice, 0), (escrowFlby, flby, escrow, 1), (bobFlby, flby, bob, 5)])
        let movements = TransactionMovements.extract(fetched, watching: watched).movements
        #expect(movements.filter { $0.kind == .transfer && $0.instructionIndex < 2 }.reduce(Int128(0)) { $0 + Int128($1.amount) } == 5)
        #expect(movements.contains(movement(.feeWithheld, 2, aliceFlby, bobFlby, 3)))
    }

    /// Token-2022 checks a self-transfer's fee and then returns without moving or withholding anything
    /// (`Processor::process_transfer`, "if self_transfer { return Ok(()) }"): the account's balance is unchanged and
    /// so are the supply and the withheld amount.
    @Test func aTransferToItsOwnSourceWithholdsNothing() throws {
        func toSelf(_ index: Int, _ amount: UInt64) -> FlbyMovement {
            FlbyMovement(
                instructionIndex: index, innerIndex: nil, kind: .transfer, sourceAccount: aliceFlby, sourceOwner: alice,
                destinationAccount: aliceFlby, destinationOwner: alice, amount: amount)
        }
        let withFee = try transaction(
            [transferCheckedWithFee(from: aliceFlby, to: aliceFlby, amount: 1_000, fee: 10)],
            pre: [(aliceFlby, flby, alice, 5_000)], post: [(aliceFlby, flby, alice, 5_000)])
        #expect(TransactionMovements.extract(withFee, watching: watched).movements == [toSelf(0, 1_000)])

        // Bob's 1,000 arrive as 990 with 10 withheld; alice's transfer to herself, beside it, had no fee to share.
        let beside = try transaction(
            [
                token2022.transferChecked(source: bobFlby, mint: flby, destination: aliceFlby, owner: alice, amount: 1_000, decimals: 6),
                token2022.transferChecked(source: aliceFlby, mint: flby, destination: aliceFlby, owner: alice, amount: 500, decimals: 6),
            ],
            pre: [(aliceFlby, flby, alice, 500), (bobFlby, flby, bob, 1_000)], post: [(aliceFlby, flby, alice, 1_490), (bobFlby, flby, bob, 0)])
        func fromBob(_ kind: MovementKind, _ amount: UInt64) -> FlbyMovement {
            FlbyMovement(
                instructionIndex: 0, innerIndex: nil, kind: kind, sourceAccount: bobFlby, sourceOwner: bob, destinationAccount: aliceFlby,
                destinationOwner: alice, amount: amount)
        }
        #expect(
            TransactionMovements.extract(beside, watching: watched).movements == [
                fromBob(.transfer, 990), fromBob(.feeWithheld, 10), toSelf(1, 500),
            ])
    }
}
