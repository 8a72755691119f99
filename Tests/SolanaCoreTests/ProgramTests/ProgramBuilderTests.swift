import SolanaCore
import Testing

extension ProgramTests {
    /// Exact program ids, account metas and data bytes of every builder on hand-checked cases.
    @Suite struct Builders {
        let a = ProgramFixtures.key(1)
        let b = ProgramFixtures.key(2)
        let c = ProgramFixtures.key(3)
        let d = ProgramFixtures.key(4)
        let e = ProgramFixtures.key(5)

        @Test func programIDs() {
            #expect(SystemProgram.programID == .zero)
            #expect(SystemProgram.programID.base58 == "11111111111111111111111111111111")
            #expect(TokenProgram.token.programID.base58 == "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
            #expect(TokenProgram.token2022.programID.base58 == "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
            #expect(AssociatedTokenAccountProgram.programID.base58 == "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
            #expect(MemoProgram.programID.base58 == "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
            #expect(ComputeBudgetProgram.programID.base58 == "ComputeBudget111111111111111111111111111111")
            #expect(MetaplexTokenMetadataProgram.programID.base58 == "metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s")
            #expect(TokenProgram.isTokenProgram(TokenProgram.token2022.programID) && !TokenProgram.isTokenProgram(SystemProgram.programID))
            #expect(TokenProgram.token.description == "Token" && TokenProgram.token2022.description == "Token-2022")
        }

        // MARK: System

        @Test func systemTransfer() {
            let ix = SystemProgram.transfer(from: a, to: b, lamports: 1_000_000_000)
            #expect(ix.programID == SystemProgram.programID)
            #expect(ix.accounts == [.writable(a, signer: true), .writable(b)])
            #expect(ix.data == [2, 0, 0, 0, 0x00, 0xCA, 0x9A, 0x3B, 0, 0, 0, 0])
        }

        @Test func systemCreateAccount() {
            let ix = SystemProgram.createAccount(from: a, newAccount: b, lamports: 1_461_600, space: 82, owner: TokenProgram.token.programID)
            #expect(ix.accounts == [.writable(a, signer: true), .writable(b, signer: true)])
            #expect(ix.data.count == 52)
            #expect(Array(ix.data[0..<4]) == [0, 0, 0, 0])
            #expect(Array(ix.data[4..<12]) == [0x60, 0x4D, 0x16, 0, 0, 0, 0, 0])
            #expect(Array(ix.data[12..<20]) == [82, 0, 0, 0, 0, 0, 0, 0])
            #expect(Array(ix.data[20..<52]) == TokenProgram.token.programID.bytes)
        }

        // MARK: Token

        @Test(arguments: [TokenProgram.token, TokenProgram.token2022])
        func initializeMint2(program: TokenProgram) {
            let withoutFreeze = program.initializeMint2(mint: a, decimals: 9, mintAuthority: b, freezeAuthority: nil)
            #expect(withoutFreeze.programID == program.programID)
            #expect(withoutFreeze.accounts == [.writable(a)])
            #expect(withoutFreeze.data == [20, 9] + b.bytes + [0])
            let withFreeze = program.initializeMint2(mint: a, decimals: 0, mintAuthority: b, freezeAuthority: c)
            #expect(withFreeze.data == [20, 0] + b.bytes + [1] + c.bytes)
            #expect(withFreeze.data.count == 67)
            // Decimals are not restricted by the builder: SPL accepts any u8.
            #expect(program.initializeMint2(mint: a, decimals: 255, mintAuthority: b, freezeAuthority: nil).data[1] == 255)
        }

        @Test(arguments: [TokenProgram.token, TokenProgram.token2022])
        func initializeAccount3(program: TokenProgram) {
            let ix = program.initializeAccount3(account: a, mint: b, owner: c)
            #expect(ix.programID == program.programID)
            #expect(ix.accounts == [.writable(a), .readonly(b)])
            #expect(ix.data == [18] + c.bytes)
        }

        @Test(arguments: [TokenProgram.token, TokenProgram.token2022])
        func amountInstructions(program: TokenProgram) {
            let thousand: [UInt8] = [0xE8, 0x03, 0, 0, 0, 0, 0, 0]
            let mintTo = program.mintTo(mint: a, destination: b, authority: c, amount: 1000)
            #expect(mintTo.accounts == [.writable(a), .writable(b), .readonly(c, signer: true)])
            #expect(mintTo.data == [7] + thousand)

            let mintToChecked = program.mintToChecked(mint: a, destination: b, authority: c, amount: 1000, decimals: 6)
            #expect(mintToChecked.accounts == mintTo.accounts)
            #expect(mintToChecked.data == [14] + thousand + [6])

            let transfer = program.transfer(source: a, destination: b, owner: c, amount: .max)
            #expect(transfer.accounts == [.writable(a), .writable(b), .readonly(c, signer: true)])
            #expect(transfer.data == [3] + [UInt8](repeating: 0xFF, count: 8))

            let transferChecked = program.transferChecked(source: a, mint: b, destination: c, owner: d, amount: 0, decimals: 9)
            #expect(transferChecked.accounts == [.writable(a), .readonly(b), .writable(c), .readonly(d, signer: true)])
            #expect(transferChecked.data == [12, 0, 0, 0, 0, 0, 0, 0, 0, 9])

            let burn = program.burn(account: a, mint: b, owner: c, amount: 1000)
            #expect(burn.accounts == [.writable(a), .writable(b), .readonly(c, signer: true)])
            #expect(burn.data == [8] + thousand)

            let burnChecked = program.burnChecked(account: a, mint: b, owner: c, amount: 0x0102_0304_0506_0708, decimals: 2)
            #expect(burnChecked.accounts == burn.accounts)
            #expect(burnChecked.data == [15, 8, 7, 6, 5, 4, 3, 2, 1, 2])
            for ix in [mintTo, mintToChecked, transfer, transferChecked, burn, burnChecked] { #expect(ix.programID == program.programID) }
        }

        @Test(arguments: [TokenProgram.token, TokenProgram.token2022])
        func setAuthority(program: TokenProgram) {
            let set = program.setAuthority(account: a, currentAuthority: b, authorityType: .freezeAccount, newAuthority: c)
            #expect(set.programID == program.programID)
            #expect(set.accounts == [.writable(a), .readonly(b, signer: true)])
            #expect(set.data == [6, 1, 1] + c.bytes)
            let clear = program.setAuthority(account: a, currentAuthority: b, authorityType: .mintTokens, newAuthority: nil)
            #expect(clear.data == [6, 0, 0])
        }

        @Test func authorityTypeValues() {
            #expect(TokenProgram.AuthorityType.allCases.map(\.rawValue) == Array(0...17))
            #expect(TokenProgram.AuthorityType.closeAccount.rawValue == 3)
            #expect(TokenProgram.AuthorityType.metadataPointer.rawValue == 12)
            #expect(TokenProgram.AuthorityType.pause.rawValue == 16)
        }

        // MARK: Token-2022 extensions

        @Test func metadataPointerInitialize() {
            let ix = MetadataPointer.initialize(mint: a, authority: b, metadataAddress: a)
            #expect(ix.programID == TokenProgram.token2022.programID)
            #expect(ix.accounts == [.writable(a)])
            #expect(ix.data == [39, 0] + b.bytes + a.bytes)
            let none = MetadataPointer.initialize(mint: a, authority: nil, metadataAddress: nil)
            #expect(none.data == [39, 0] + [UInt8](repeating: 0, count: 64))
        }

        @Test func tokenMetadataDiscriminatorsAreTheInterfaceHashes() {
            // First 8 bytes of SHA-256 of the namespaced names, computed independently (Python hashlib).
            #expect(TokenMetadata.initializeDiscriminator == [210, 225, 30, 162, 88, 184, 77, 141])
            #expect(TokenMetadata.updateFieldDiscriminator == [221, 233, 49, 45, 181, 202, 220, 200])
        }

        @Test func tokenMetadataInitialize() throws {
            let ix = try TokenMetadata.initialize(
                metadata: a, updateAuthority: b, mint: a, mintAuthority: c, name: "Flutter", symbol: "FLY", uri: "https://x.y/m.json")
            #expect(ix.programID == TokenProgram.token2022.programID)
            #expect(ix.accounts == [.writable(a), .readonly(b), .readonly(a), .readonly(c, signer: true)])
            let expected: [UInt8] =
                [210, 225, 30, 162, 88, 184, 77, 141]
                + [7, 0, 0, 0] + Array("Flutter".utf8) + [3, 0, 0, 0] + Array("FLY".utf8) + [18, 0, 0, 0] + Array("https://x.y/m.json".utf8)
            #expect(ix.data == expected)
            let other = try TokenMetadata.initialize(
                metadata: a, updateAuthority: b, mint: a, mintAuthority: c, name: "", symbol: "", uri: "", programID: d)
            #expect(other.programID == d)
            #expect(other.data == TokenMetadata.initializeDiscriminator + [UInt8](repeating: 0, count: 12))
        }

        @Test func tokenMetadataUpdateField() throws {
            let disc = TokenMetadata.updateFieldDiscriminator
            let name = try TokenMetadata.updateField(metadata: a, updateAuthority: b, field: .name, value: "New")
            #expect(name.programID == TokenProgram.token2022.programID)
            #expect(name.accounts == [.writable(a), .readonly(b, signer: true)])
            #expect(name.data == disc + [0, 3, 0, 0, 0] + Array("New".utf8))
            #expect(try TokenMetadata.updateField(metadata: a, updateAuthority: b, field: .symbol, value: "S").data == disc + [1, 1, 0, 0, 0, 0x53])
            #expect(try TokenMetadata.updateField(metadata: a, updateAuthority: b, field: .uri, value: "").data == disc + [2, 0, 0, 0, 0])
            let custom = try TokenMetadata.updateField(metadata: a, updateAuthority: b, field: .key("k"), value: "vv", programID: e)
            #expect(custom.programID == e)
            #expect(custom.data == disc + [3, 1, 0, 0, 0, 0x6B, 2, 0, 0, 0, 0x76, 0x76])
        }

        @Test func tokenMetadataTLVSize() throws {
            // 4 TLV header + 32 + 32 + (4+4 name) + (4+3 symbol) + (4+5 uri) + 4 vec length.
            #expect(try TokenMetadata.tlvSize(updateAuthority: a, mint: b, name: "Name", symbol: "SYM", uri: "u.com") == 4 + 64 + 8 + 7 + 9 + 4)
            #expect(try TokenMetadata.tlvSize(updateAuthority: nil, mint: b, name: "", symbol: "", uri: "") == 84)
            #expect(
                try TokenMetadata.tlvSize(updateAuthority: nil, mint: b, name: "", symbol: "", uri: "", additionalMetadata: [.init("ab", "cde")])
                    == 84 + 4 + 2 + 4 + 3)
            #expect(
                ProgramFixtures.failure {
                    _ = try TokenMetadata.tlvSize(updateAuthority: nil, mint: b, name: String(repeating: "n", count: 33), symbol: "", uri: "")
                }?.code == .invalidArgument)
        }

        @Test func metadataLengthLimits() throws {
            let ok = (name: String(repeating: "n", count: 32), symbol: String(repeating: "s", count: 10), uri: String(repeating: "u", count: 200))
            _ = try TokenMetadata.initialize(
                metadata: a, updateAuthority: b, mint: a, mintAuthority: c, name: ok.name, symbol: ok.symbol, uri: ok.uri)
            _ = try MetaplexTokenMetadataProgram.createMetadataAccountV3(
                metadata: d, mint: a, mintAuthority: c, payer: c, updateAuthority: b, name: ok.name, symbol: ok.symbol, uri: ok.uri,
                sellerFeeBasisPoints: 0, isMutable: true, updateAuthorityIsSigner: false)
            // Limits count UTF-8 bytes, not characters: 16 × "é" is 32 bytes, 17 is 34.
            _ = try TokenMetadata.initialize(
                metadata: a, updateAuthority: b, mint: a, mintAuthority: c, name: String(repeating: "é", count: 16), symbol: "", uri: "")

            let tooLong: [(String, String, String, String)] = [
                ("name", ok.name + "n", ok.symbol, ok.uri), ("symbol", ok.name, ok.symbol + "s", ok.uri), ("uri", ok.name, ok.symbol, ok.uri + "u"),
                ("name", String(repeating: "é", count: 17), "", ""),
            ]
            for (field, name, symbol, uri) in tooLong {
                let t22 = ProgramFixtures.failure {
                    _ = try TokenMetadata.initialize(metadata: a, updateAuthority: b, mint: a, mintAuthority: c, name: name, symbol: symbol, uri: uri)
                }
                #expect(t22?.code == .invalidArgument)
                #expect(t22?.message.contains(field) == true, "\(String(describing: t22))")
                let metaplex = ProgramFixtures.failure {
                    _ = try MetaplexTokenMetadataProgram.createMetadataAccountV3(
                        metadata: d, mint: a, mintAuthority: c, payer: c, updateAuthority: b, name: name, symbol: symbol, uri: uri,
                        sellerFeeBasisPoints: 0, isMutable: true, updateAuthorityIsSigner: false)
                }
                #expect(metaplex?.code == .invalidArgument)
            }
            for (field, value) in [(TokenMetadata.Field.name, ok.name + "n"), (.symbol, ok.symbol + "s"), (.uri, ok.uri + "u")] {
                #expect(
                    ProgramFixtures.failure { _ = try TokenMetadata.updateField(metadata: a, updateAuthority: b, field: field, value: value) }?.code
                        == .invalidArgument)
            }
            // Custom fields are not limited.
            _ = try TokenMetadata.updateField(metadata: a, updateAuthority: b, field: .key("description"), value: String(repeating: "d", count: 500))
        }

        // MARK: Associated token accounts

        @Test func associatedTokenAddressMatchesAnIndependentDerivation() throws {
            // Computed with a separate Python implementation (SHA-256 + Ed25519 decompression check).
            let wallet = ProgramFixtures.key(7)
            let mint = ProgramFixtures.key(9)
            #expect(try AssociatedTokenAccountProgram.address(wallet: wallet, mint: mint).base58 == "BjmJ1yi1Sc4s9xQaiv4DbRuUhgfjUSc8cYSuwsFqoS9")
            #expect(
                try AssociatedTokenAccountProgram.address(wallet: wallet, mint: mint, tokenProgram: TokenProgram.token2022.programID).base58
                    == "GkszU3JvM7uPsFGpazjSHDDAgbKdDeUdBNkZB94k3FCX")
            #expect(try MetaplexTokenMetadataProgram.metadataAddress(mint: mint).base58 == "3ThWX3CcZ4VKueas6QL9rfQ2yjY5PTFWH5sGhnrNchUu")
        }

        @Test func associatedTokenAccountCreate() throws {
            let wallet = ProgramFixtures.key(7)
            let mint = ProgramFixtures.key(9)
            let program = TokenProgram.token2022.programID
            let ata = try AssociatedTokenAccountProgram.address(wallet: wallet, mint: mint, tokenProgram: program)
            let create = try AssociatedTokenAccountProgram.create(payer: a, wallet: wallet, mint: mint, tokenProgram: program)
            #expect(create.programID == AssociatedTokenAccountProgram.programID)
            #expect(
                create.accounts == [
                    .writable(a, signer: true), .writable(ata), .readonly(wallet), .readonly(mint), .readonly(SystemProgram.programID),
                    .readonly(program),
                ])
            #expect(create.data == [])
            let idempotent = try AssociatedTokenAccountProgram.createIdempotent(payer: a, wallet: wallet, mint: mint, tokenProgram: program)
            #expect(idempotent.accounts == create.accounts)
            #expect(idempotent.data == [1])
            // The default token program is classic Token.
            #expect(
                try AssociatedTokenAccountProgram.create(payer: a, wallet: wallet, mint: mint).accounts.last
                    == .readonly(TokenProgram.token.programID))
        }

        // MARK: Memo, compute budget, Metaplex

        @Test func memo() {
            let plain = MemoProgram.memo("hi ✓")
            #expect(plain.programID == MemoProgram.programID)
            #expect(plain.accounts.isEmpty)
            #expect(plain.data == [0x68, 0x69, 0x20, 0xE2, 0x9C, 0x93])
            let signed = MemoProgram.memo("", signers: [a, b])
            #expect(signed.accounts == [.readonly(a, signer: true), .readonly(b, signer: true)])
            #expect(signed.data.isEmpty)
        }

        @Test func computeBudget() {
            let limit = ComputeBudgetProgram.setComputeUnitLimit(200_000)
            #expect(limit.programID == ComputeBudgetProgram.programID)
            #expect(limit.accounts.isEmpty)
            #expect(limit.data == [2, 0x40, 0x0D, 0x03, 0x00])
            #expect(ComputeBudgetProgram.setComputeUnitLimit(.max).data == [2, 0xFF, 0xFF, 0xFF, 0xFF])
            let price = ComputeBudgetProgram.setComputeUnitPrice(microLamports: 1)
            #expect(price.accounts.isEmpty)
            #expect(price.data == [3, 1, 0, 0, 0, 0, 0, 0, 0])
            #expect(ComputeBudgetProgram.setComputeUnitPrice(microLamports: .max).data == [3] + [UInt8](repeating: 0xFF, count: 8))
        }

        @Test(arguments: [false, true])
        func metaplexCreateMetadataAccountV3(updateAuthorityIsSigner: Bool) throws {
            let ix = try MetaplexTokenMetadataProgram.createMetadataAccountV3(
                metadata: a, mint: b, mintAuthority: c, payer: d, updateAuthority: e, name: "Fly", symbol: "FLY", uri: "u",
                sellerFeeBasisPoints: 500, isMutable: !updateAuthorityIsSigner, updateAuthorityIsSigner: updateAuthorityIsSigner)
            #expect(ix.programID == MetaplexTokenMetadataProgram.programID)
            #expect(
                ix.accounts == [
                    .writable(a), .readonly(b), .readonly(c, signer: true), .writable(d, signer: true),
                    .readonly(e, signer: updateAuthorityIsSigner), .readonly(SystemProgram.programID),
                ])
            let expected: [UInt8] =
                [33] + [3, 0, 0, 0] + Array("Fly".utf8) + [3, 0, 0, 0] + Array("FLY".utf8) + [1, 0, 0, 0, 0x75]
                + [0xF4, 0x01]  // seller fee 500
                + [0, 0, 0]  // creators, collection, uses: None
                + [updateAuthorityIsSigner ? 0 : 1]  // is_mutable
                + [0]  // collection_details: None
            #expect(ix.data == expected)
        }
    }
}
