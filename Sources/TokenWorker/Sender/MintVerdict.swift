public import SolanaCore
public import SolanaRPC

/// What a job's mint must look like to count as the job's token: an initialized mint of the job's token program, with
/// its decimals, at the job's mint address, whose mint and freeze authorities are those the job's transaction leaves:
/// the service's mint authority unless the job revoked it (none) or handed it to an address, and the freeze authority
/// the job asked for (none by default).
public struct MintExpectation: Sendable, Hashable {
    public var address: PublicKey
    public var program: TokenProgram
    public var decimals: UInt8
    /// The mint authority after the job's transaction; nil when the job revokes it.
    public var mintAuthority: PublicKey?
    /// The freeze authority the job's transaction sets; nil for none.
    public var freezeAuthority: PublicKey?

    public init(address: PublicKey, program: TokenProgram, decimals: UInt8, mintAuthority: PublicKey?, freezeAuthority: PublicKey? = nil) {
        self.address = address
        self.program = program
        self.decimals = decimals
        self.mintAuthority = mintAuthority
        self.freezeAuthority = freezeAuthority
    }

    /// What `plan`'s transaction leaves at `address`, signed with the service's mint authority `service`.
    public init(address: PublicKey, plan: TokenCreationPlan, service: PublicKey) {
        self.init(
            address: address, program: plan.program, decimals: plan.decimals, mintAuthority: plan.choices.mintAuthority.key(service: service),
            freezeAuthority: plan.choices.freezeAuthority.key(service: service))
    }
}

/// Whether a job's token exists, judged strictly from what the chain shows at the mint address and the statuses of
/// the job's own transactions. Anyone can send lamports to any address, so "something is there" proves nothing: the
/// token exists only when the account is the job's mint (its program, initialized, its decimals) and one of the job's
/// own transactions created it. Without such a transaction, the authorities tell a mint that may be the job's
/// (`unattributed`) from another (`foreign`) only where their holders could not have changed them; with one, they may
/// have changed since, by their holders' right.
public enum MintVerdict: Sendable, Hashable {
    /// The job's token exists, created by `signature`, one of the job's own transactions; `confirmed` once that
    /// transaction is confirmed (or finalized).
    case created(by: Signature, confirmed: Bool)
    /// Nothing is at the address but lamports (which anyone may send): the token does not exist.
    case absent
    /// The job's mint is at the address, but none of the job's transactions shows as having succeeded: a lagging node,
    /// or a transaction the job never stored (the same idempotency key used by a job since pruned, or another database
    /// with the same master seed).
    case unattributed
    /// As `unattributed`, but the node's ledger does not reach back to the job's transactions (`LedgerReach`): it
    /// could not show them had they landed. Neither the job's token nor another's; what, for an operator.
    case unattributable(String)
    /// The address holds something that is not the job's mint (what, for an operator). The job's transactions can
    /// never create the mint there.
    case foreign(String)
    /// The answers disagree (one of the job's transactions succeeded, but its mint is not visible yet): ask again later.
    case unknown(String)

    /// The verdict on `account` (the account at `expected.address`, nil when there is none) and the statuses of the
    /// job's transactions (`statuses[i]` for `signatures[i]`, nil when unknown to the node).
    public static func judge(
        account: AccountInfo?, signatures: [Signature], statuses: [SignatureStatus?], expected: MintExpectation
    ) -> MintVerdict {
        // A successful transaction of the job, a confirmed one first.
        let succeeded = zip(signatures, statuses).compactMap { signature, status in
            status.flatMap { $0.succeeded ? (signature, $0) : nil }
        }
        let creator =
            succeeded.first { $0.1.isConfirmed } ?? succeeded.first
        guard let account, !(account.owner == SystemProgram.programID && account.data.isEmpty) else {
            if let creator {
                return .unknown(
                    "the job's transaction \(creator.0) succeeded but the node does not show the mint account \(expected.address) yet")
            }
            return .absent
        }
        let address = expected.address
        guard account.owner == expected.program.programID else {
            if account.owner == SystemProgram.programID {
                return .foreign("the mint address \(address) holds a System account with \(account.data.count) bytes of data")
            }
            return .foreign("the mint address \(address) holds an account owned by the program \(account.owner), not \(expected.program.programID)")
        }
        guard let mint = try? TokenMintState(data: account.data) else {
            return .foreign(
                "the mint address \(address) holds an account of \(expected.program.programID) that is not a mint (\(account.data.count) bytes)")
        }
        guard mint.isInitialized else {
            return .foreign("the mint address \(address) holds an uninitialized mint")
        }
        guard mint.decimals == expected.decimals else {
            return .foreign("the mint at \(address) has \(mint.decimals) decimals; the job asks for \(expected.decimals)")
        }
        // One of the job's own transactions succeeded: it initialized this mint (nobody can create an account at the
        // job's address without its key), with the job's authorities then. Their holders may change them since (an
        // address the job handed the mint authority to may revoke it), and the token is still the job's.
        if let creator {
            return .created(by: creator.0, confirmed: creator.1.isConfirmed)
        }
        // Without a creator, authorities tell another's mint only where nobody could have changed them since: one the
        // job's transaction leaves to none stays none, but one it leaves to a holder (the service, an escrow) may have
        // been changed or revoked by that holder, and the mint may still be the job's. Nobody but a holder of the
        // job's mint key can make a mint at its address, so such a mint is as `unattributed` as one that matches.
        guard mint.mintAuthority == expected.mintAuthority || expected.mintAuthority != nil else {
            return .foreign(
                "the mint at \(address) has the mint authority \(describe(mint.mintAuthority)), not the job's \(describe(expected.mintAuthority))")
        }
        guard mint.freezeAuthority == expected.freezeAuthority || expected.freezeAuthority != nil else {
            return .foreign(
                "the mint at \(address) has the freeze authority \(describe(mint.freezeAuthority)), not the job's \(describe(expected.freezeAuthority))"
            )
        }
        return .unattributed
    }

    private static func describe(_ authority: PublicKey?) -> String { authority.map { "\($0)" } ?? "none" }
}
