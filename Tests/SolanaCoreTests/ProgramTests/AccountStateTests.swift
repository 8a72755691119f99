import SolanaCore
import Testing

extension ProgramTests {
    /// Mint, token-account and Token-2022 extension parsers on hand-built account data.
    @Suite struct AccountStates {
        let a = ProgramFixtures.key(1)
        let b = ProgramFixtures.key(2)
        let c = ProgramFixtures.key(3)
        let d = ProgramFixtures.key(4)

        func coption(_ key: PublicKey?) -> [UInt8] {
            if let key { [1, 0, 0, 0] + key.bytes } else { [UInt8](repeating: 0, count: 36) }
        }

        /// The 82-byte base mint layout.
        func mintBytes(authority: PublicKey?, supply: UInt64, decimals: UInt8, initialized: Bool, freeze: PublicKey?) -> [UInt8] {
            coption(authority) + ProgramFixtures.le(supply) + [decimals, initialized ? 1 : 0] + coption(freeze)
        }

        func tlv(_ type: UInt16, _ value: [UInt8]) -> [UInt8] { ProgramFixtures.le(type) + ProgramFixtures.le(UInt16(value.count)) + value }

        func metadataValue(
            authority: PublicKey?, mint: PublicKey, name: String, symbol: String, uri: String, additional: [(String, String)]
        ) -> [UInt8] {
            var value =
                (authority ?? .zero).bytes + mint.bytes + ProgramFixtures.borsh(name) + ProgramFixtures.borsh(symbol) + ProgramFixtures.borsh(uri)
            value += ProgramFixtures.le(UInt32(additional.count))
            for (key, text) in additional { value += ProgramFixtures.borsh(key) + ProgramFixtures.borsh(text) }
            return value
        }

        /// A Token-2022 mint: base, padding to 165, account type 1, then the given TLV entries.
        func token2022Mint(_ entries: [UInt8]) -> [UInt8] {
            mintBytes(authority: a, supply: 5, decimals: 2, initialized: true, freeze: nil) + [UInt8](repeating: 0, count: 83) + [1] + entries
        }

        @Test func mintState() throws {
            let data = mintBytes(authority: a, supply: 1_000_000_000_000, decimals: 9, initialized: true, freeze: b)
            #expect(data.count == TokenMintState.length)
            let state = try TokenMintState(data: data)
            #expect(state.mintAuthority == a)
            #expect(state.supply == 1_000_000_000_000)
            #expect(state.decimals == 9)
            #expect(state.isInitialized)
            #expect(state.freezeAuthority == b)
            // Offsets as documented: supply at 36, decimals at 44, is_initialized at 45, freeze authority 46..<82.
            #expect(Array(data[36..<44]) == ProgramFixtures.le(UInt64(1_000_000_000_000)) && data[44] == 9 && data[45] == 1)

            let revoked = try TokenMintState(data: mintBytes(authority: nil, supply: .max, decimals: 0, initialized: false, freeze: nil))
            #expect(revoked.mintAuthority == nil && revoked.freezeAuthority == nil)
            #expect(revoked.supply == .max && revoked.decimals == 0 && !revoked.isInitialized)
        }

        @Test func mintStateReadsOnlyTheBaseOfAnExtendedMint() throws {
            let data = token2022Mint(tlv(18, b.bytes + a.bytes))
            let state = try TokenMintState(data: data)
            #expect(state.mintAuthority == a && state.supply == 5 && state.decimals == 2 && state.freezeAuthority == nil)
        }

        @Test func mintStateErrors() {
            let good = mintBytes(authority: a, supply: 1, decimals: 0, initialized: true, freeze: nil)
            for length in [0, 1, 36, 81] {
                let failure = ProgramFixtures.failure { _ = try TokenMintState(data: Array(good.prefix(length))) }
                #expect(failure?.code == .invalidArgument)
                #expect(failure?.message.contains("82") == true)
            }
            var badTag = good
            badTag[0] = 2
            #expect(ProgramFixtures.failure { _ = try TokenMintState(data: badTag) }?.code == .invalidArgument)
            var badFreezeTag = good
            badFreezeTag[46 + 1] = 1  // tag u32 = 256
            #expect(ProgramFixtures.failure { _ = try TokenMintState(data: badFreezeTag) }?.code == .invalidArgument)
        }

        func accountBytes(state: UInt8, delegate: PublicKey?, native: UInt64?, closeAuthority: PublicKey?) -> [UInt8] {
            var data = a.bytes + b.bytes + ProgramFixtures.le(UInt64.max) + coption(delegate) + [state]
            data += native.map { [1, 0, 0, 0] + ProgramFixtures.le($0) } ?? [UInt8](repeating: 0, count: 12)
            data += ProgramFixtures.le(UInt64(77)) + coption(closeAuthority)
            return data
        }

        @Test func tokenAccountState() throws {
            let data = accountBytes(state: 1, delegate: c, native: nil, closeAuthority: nil)
            #expect(data.count == TokenAccountState.length)
            let account = try TokenAccountState(data: data)
            #expect(account.mint == a)
            #expect(account.owner == b)
            #expect(account.amount == .max)
            #expect(account.delegate == c)
            #expect(account.state == .initialized)
            #expect(account.isNative == nil)
            #expect(account.delegatedAmount == 77)
            #expect(account.closeAuthority == nil)

            // Wrapped SOL, frozen, with a close authority; Token-2022 account-type byte and extensions after 165.
            let wrapped = try TokenAccountState(data: accountBytes(state: 2, delegate: nil, native: 2_039_280, closeAuthority: d) + [2] + tlv(7, []))
            #expect(wrapped.state == .frozen && wrapped.isNative == 2_039_280 && wrapped.closeAuthority == d && wrapped.delegate == nil)
        }

        @Test func tokenAccountStateErrors() {
            let good = accountBytes(state: 1, delegate: nil, native: nil, closeAuthority: nil)
            for length in [0, 64, 72, 164] {
                #expect(ProgramFixtures.failure { _ = try TokenAccountState(data: Array(good.prefix(length))) }?.code == .invalidArgument)
            }
            #expect(
                ProgramFixtures.failure { _ = try TokenAccountState(data: accountBytes(state: 3, delegate: nil, native: nil, closeAuthority: nil)) }?
                    .code == .invalidArgument)
            var badDelegateTag = good
            badDelegateTag[72] = 9
            #expect(ProgramFixtures.failure { _ = try TokenAccountState(data: badDelegateTag) }?.code == .invalidArgument)
        }

        @Test func tokenMetadataFromAToken2022Mint() throws {
            let value = metadataValue(
                authority: b, mint: c, name: "Flutterbye", symbol: "FLY", uri: "https://f.example/m.json",
                additional: [("site", "f.example"), ("", "")])
            let data = token2022Mint(tlv(18, b.bytes + c.bytes) + tlv(19, value))
            let metadata = try #require(try TokenMetadataState(mintData: data))
            #expect(metadata.updateAuthority == b)
            #expect(metadata.mint == c)
            #expect(metadata.name == "Flutterbye")
            #expect(metadata.symbol == "FLY")
            #expect(metadata.uri == "https://f.example/m.json")
            #expect(metadata.additionalMetadata.map(\.key) == ["site", ""])
            #expect(metadata.additionalMetadata.map(\.value) == ["f.example", ""])
            #expect(
                metadata
                    == TokenMetadataState(
                        updateAuthority: b, mint: c, name: "Flutterbye", symbol: "FLY", uri: "https://f.example/m.json",
                        additionalMetadata: [.init("site", "f.example"), .init("", "")]))

            let pointer = try #require(try MetadataPointerState(mintData: data))
            #expect(pointer == MetadataPointerState(authority: b, metadataAddress: c))

            // The size helper agrees with the TLV entry the program stores (header + value).
            #expect(
                try TokenMetadata.tlvSize(
                    updateAuthority: b, mint: c, name: "Flutterbye", symbol: "FLY", uri: "https://f.example/m.json",
                    additionalMetadata: [.init("site", "f.example"), .init("", "")]) == tlv(19, value).count)
        }

        @Test func tokenMetadataWithoutAuthorityOrBeforeOtherExtensions() throws {
            // Metadata first, an all-zero (none) update authority, then trailing zeros (uninitialized space).
            let value = metadataValue(authority: nil, mint: a, name: "é", symbol: "", uri: "", additional: [])
            let data = token2022Mint(tlv(19, value) + tlv(18, [UInt8](repeating: 0, count: 64)) + [0, 0, 0, 0, 0])
            let metadata = try #require(try TokenMetadataState(mintData: data))
            #expect(metadata.updateAuthority == nil && metadata.name == "é" && metadata.additionalMetadata.isEmpty)
            #expect(try MetadataPointerState(mintData: data) == MetadataPointerState(authority: nil, metadataAddress: nil))
        }

        @Test func absentExtensionsGiveNil() throws {
            let plainMint = mintBytes(authority: a, supply: 0, decimals: 0, initialized: true, freeze: nil)
            #expect(try TokenMetadataState(mintData: plainMint) == nil)
            #expect(try MetadataPointerState(mintData: plainMint) == nil)
            let pointerOnly = token2022Mint(tlv(18, b.bytes + a.bytes))
            #expect(try TokenMetadataState(mintData: pointerOnly) == nil)
            #expect(try MetadataPointerState(mintData: pointerOnly) != nil)
            // A type-0 entry ends the list: nothing after it is read.
            let afterTerminator = token2022Mint(
                tlv(0, []) + tlv(19, metadataValue(authority: a, mint: a, name: "x", symbol: "", uri: "", additional: [])))
            #expect(try TokenMetadataState(mintData: afterTerminator) == nil)
            #expect(try TokenMetadataState(mintData: token2022Mint([])) == nil)
        }

        @Test func malformedExtensionAreasThrow() {
            let value = metadataValue(authority: a, mint: b, name: "Name", symbol: "S", uri: "u", additional: [("k", "v")])
            // An entry longer than the data.
            let overrun = token2022Mint(ProgramFixtures.le(UInt16(19)) + ProgramFixtures.le(UInt16(value.count + 10)) + value)
            #expect(ProgramFixtures.failure { _ = try TokenMetadataState(mintData: overrun) }?.code == .invalidArgument)
            // Not a mint (account type 2 = token account).
            var notMint = token2022Mint(tlv(19, value))
            notMint[165] = 2
            #expect(ProgramFixtures.failure { _ = try TokenMetadataState(mintData: notMint) }?.code == .invalidArgument)
            // A string that runs past the value, and a huge additional-field count.
            var shortString = value
            shortString[64] = 200
            #expect(ProgramFixtures.failure { _ = try TokenMetadataState(mintData: token2022Mint(tlv(19, shortString))) }?.code == .invalidArgument)
            let hugeCount =
                metadataValue(authority: a, mint: b, name: "", symbol: "", uri: "", additional: []).dropLast(4) + [0xFF, 0xFF, 0xFF, 0xFF]
            #expect(
                ProgramFixtures.failure { _ = try TokenMetadataState(mintData: token2022Mint(tlv(19, Array(hugeCount)))) }?.code == .invalidArgument)
            // Invalid UTF-8.
            let badUTF8 = a.bytes + b.bytes + [1, 0, 0, 0, 0xC3] + ProgramFixtures.borsh("") + ProgramFixtures.borsh("") + [0, 0, 0, 0]
            #expect(ProgramFixtures.failure { _ = try TokenMetadataState(mintData: token2022Mint(tlv(19, badUTF8))) }?.code == .invalidArgument)
            // A truncated metadata pointer value.
            #expect(ProgramFixtures.failure { _ = try MetadataPointerState(mintData: token2022Mint(tlv(18, a.bytes))) }?.code == .invalidArgument)
        }
    }
}
