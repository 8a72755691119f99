import Foundation
public import SolanaCore

/// An account's owner, balance and data.
public struct AccountInfo: Sendable, Hashable {
    public var lamports: UInt64
    public var owner: PublicKey
    public var data: [UInt8]
    public var executable: Bool

    public init(lamports: UInt64, owner: PublicKey, data: [UInt8], executable: Bool) {
        self.lamports = lamports
        self.owner = owner
        self.data = data
        self.executable = executable
    }
}
