import SolanaCore

/// Token-2022 transfer fees among a transaction's FLBY movements, read from its balances. A TransferChecked on a mint
/// with a transfer fee does not say the fee (the mint's settings do): an account that gained less than it was sent
/// had the difference withheld, in it but outside its amount. A withdrawal of withheld fees does not say its amount:
/// it is what its destination gained beyond the other movements. Pure.
enum TransferFees {
    /// Adds to `movements` the fees the TransferChecked movements at `transfersChecked` had withheld (each transfer
    /// then being what its destination received) and the amounts of `withdrawals`, from `residuals` (each FLBY
    /// account's balance change beyond `movements`), which then leave out what they explain; each added movement
    /// follows its instruction's. Where several TransferChecked go to one account in one transaction, the fee is
    /// shared among them by their amounts: its total is exact, its split is not (the mint's settings would give it).
    static func read(
        into movements: inout [FlbyMovement], residuals: inout [(account: PublicKey, amount: Int128)], transfersChecked: [Int],
        withdrawals: [FlbyMovement]
    ) {
        var added: [FlbyMovement] = []
        var destinations: [PublicKey] = []
        var intoDestination: [PublicKey: [Int]] = [:]
        for position in transfersChecked {
            guard let destination = movements[position].destinationAccount else { continue }
            if intoDestination[destination] == nil { destinations.append(destination) }
            intoDestination[destination, default: []].append(position)
        }
        for destination in destinations {
            let positions = intoDestination[destination] ?? []
            guard let at = residuals.firstIndex(where: { $0.account == destination }) else { continue }
            let sent = positions.reduce(UInt128(0)) { $0 + UInt128(movements[$1].amount) }
            let shortfall = min(UInt128(clamping: -residuals[at].amount), sent)
            guard shortfall > 0 else { continue }
            residuals[at].amount += Int128(shortfall)
            var fees = positions.map { sent.dividingFullWidth(shortfall.multipliedFullWidth(by: UInt128(movements[$0].amount))).quotient }
            var left = shortfall - fees.reduce(0, +)
            for index in fees.indices where left > 0 {
                let more = min(UInt128(movements[positions[index]].amount) - fees[index], left)
                fees[index] += more
                left -= more
            }
            for (position, fee) in zip(positions, fees) where fee > 0 {
                movements[position].amount -= UInt64(fee)
                var withheld = movements[position]
                withheld.kind = .feeWithheld
                withheld.amount = UInt64(fee)
                added.append(withheld)
            }
        }
        var credited: Set<PublicKey> = []
        for withdrawal in withdrawals {
            guard let destination = withdrawal.destinationAccount, credited.insert(destination).inserted,
                let at = residuals.firstIndex(where: { $0.account == destination }), residuals[at].amount > 0
            else { continue }
            var withdrawn = withdrawal
            withdrawn.amount = UInt64(clamping: residuals[at].amount)
            residuals[at].amount -= Int128(withdrawn.amount)
            added.append(withdrawn)
        }
        guard !added.isEmpty else { return }
        // In execution order again (a stable sort): a fee after its transfer, a withdrawal at its instruction.
        movements = (movements + added).enumerated().sorted {
            ($0.element.instructionIndex, $0.element.innerIndex ?? -1, $0.offset) < (
                $1.element.instructionIndex, $1.element.innerIndex ?? -1, $1.offset
            )
        }.map(\.element)
    }
}
