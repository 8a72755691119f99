import FlutterbyeTestSupport
import SolanaCore
import Testing

extension ProgramTests {
    /// Build → decode → equal for every decodable instruction, and decoding of short, garbage or unknown input gives
    /// `.unknown` without trapping.
    @Suite struct InstructionDecoders {
        let a = ProgramFixtures.key(1)
        let b = ProgramFixtures.key(2)
        let c = ProgramFixtures.key(3)
        let d = ProgramFixtures.key(4)
        static let amounts: [UInt64] = [0, 1, 1_000_000, UInt64(UInt32.max) + 1, .max - 1, .max]
        static let decimals: [UInt8] = [0, 6, 9, 255]

        func decodeToken(_ ix: Instruction) -> DecodedTokenInstruction {
            DecodedTokenInstruction.decode(data: ix.data, accounts: ix.accounts.map(\.publicKey))
        }

        func decodeSystem(_ ix: Instruction) -> DecodedSystemInstruction {
            DecodedSystemInstruction.decode(data: ix.data, accounts: ix.accounts.map(\.publicKey))
        }

        func isUnknown(_ decoded: DecodedTokenInstruction) -> Bool { if case .unknown = decoded { true } else { false } }
        func isUnknown(_ decoded: DecodedSystemInstruction) -> Bool { if case .unknown = decoded { true } else { false } }

        /// Every builder output the token decoder understands, over boundary values, with its expected decoding.
        func tokenCases() throws -> [(Instruction, DecodedTokenInstruction)] {
            var cases: [(Instruction, DecodedTokenInstruction)] = []
            for program in [TokenProgram.token, .token2022] {
                for decimals in Self.decimals {
                    for freeze in [nil, d] {
                        cases.append(
                            (
                                program.initializeMint2(mint: a, decimals: decimals, mintAuthority: b, freezeAuthority: freeze),
                                .initializeMint(mint: a, decimals: decimals, mintAuthority: b, freezeAuthority: freeze)
                            ))
                    }
                }
                cases.append((program.initializeAccount3(account: a, mint: b, owner: c), .initializeAccount(account: a, mint: b, owner: c)))
                for amount in Self.amounts {
                    cases.append(
                        (
                            program.transfer(source: a, destination: b, owner: c, amount: amount),
                            .transfer(source: a, destination: b, authority: c, amount: amount)
                        ))
                    cases.append(
                        (
                            program.mintTo(mint: a, destination: b, authority: c, amount: amount),
                            .mintTo(mint: a, destination: b, authority: c, amount: amount)
                        ))
                    cases.append(
                        (program.burn(account: a, mint: b, owner: c, amount: amount), .burn(account: a, mint: b, authority: c, amount: amount)))
                    for decimals in Self.decimals {
                        cases.append(
                            (
                                program.transferChecked(source: a, mint: b, destination: c, owner: d, amount: amount, decimals: decimals),
                                .transferChecked(source: a, mint: b, destination: c, authority: d, amount: amount, decimals: decimals)
                            ))
                        cases.append(
                            (
                                program.mintToChecked(mint: a, destination: b, authority: c, amount: amount, decimals: decimals),
                                .mintToChecked(mint: a, destination: b, authority: c, amount: amount, decimals: decimals)
                            ))
                        cases.append(
                            (
                                program.burnChecked(account: a, mint: b, owner: c, amount: amount, decimals: decimals),
                                .burnChecked(account: a, mint: b, authority: c, amount: amount, decimals: decimals)
                            ))
                    }
                }
                for kind in TokenProgram.AuthorityType.allCases {
                    for newAuthority in [nil, d] {
                        cases.append(
                            (
                                program.setAuthority(account: a, currentAuthority: b, authorityType: kind, newAuthority: newAuthority),
                                .setAuthority(account: a, currentAuthority: b, authorityType: kind.rawValue, newAuthority: newAuthority)
                            ))
                    }
                }
            }
            for (authority, address) in [(b, a), (nil, a), (b, nil), (nil, nil)] as [(PublicKey?, PublicKey?)] {
                cases.append(
                    (
                        MetadataPointer.initialize(mint: a, authority: authority, metadataAddress: address),
                        .initializeMetadataPointer(mint: a, authority: authority, metadataAddress: address)
                    ))
            }
            for (name, symbol, uri) in [("", "", ""), ("Flutterbye ✓", "FLY", "https://example.com/fly.json")] {
                cases.append(
                    (
                        try TokenMetadata.initialize(
                            metadata: a, updateAuthority: b, mint: a, mintAuthority: c, name: name, symbol: symbol, uri: uri),
                        .initializeTokenMetadata(metadata: a, updateAuthority: b, mint: a, mintAuthority: c, name: name, symbol: symbol, uri: uri)
                    ))
            }
            for field in [TokenMetadata.Field.name, .symbol, .uri, .key(""), .key("description")] {
                cases.append(
                    (
                        try TokenMetadata.updateField(metadata: a, updateAuthority: b, field: field, value: "v"),
                        .updateTokenMetadataField(metadata: a, updateAuthority: b, field: field, value: "v")
                    ))
            }
            return cases
        }

        @Test func tokenBuildersRoundTrip() throws {
            let cases = try tokenCases()
            #expect(cases.count > 250)
            for (instruction, expected) in cases {
                #expect(decodeToken(instruction) == expected, "\(instruction.data)")
            }
        }

        @Test func legacyTokenFormsDecode() {
            let rent: PublicKey = "SysvarRent111111111111111111111111111111111"
            // InitializeMint (0): same data as InitializeMint2, rent sysvar as the second account.
            #expect(
                DecodedTokenInstruction.decode(data: [0, 6] + b.bytes + [1] + c.bytes, accounts: [a, rent])
                    == .initializeMint(mint: a, decimals: 6, mintAuthority: b, freezeAuthority: c))
            // InitializeAccount (1): account, mint, owner, rent; no data.
            #expect(DecodedTokenInstruction.decode(data: [1], accounts: [a, b, c, rent]) == .initializeAccount(account: a, mint: b, owner: c))
            // InitializeAccount2 (16): account, mint, rent; owner in the data.
            #expect(
                DecodedTokenInstruction.decode(data: [16] + c.bytes, accounts: [a, b, rent]) == .initializeAccount(account: a, mint: b, owner: c))
            // CloseAccount (9): account, destination, owner.
            #expect(DecodedTokenInstruction.decode(data: [9], accounts: [a, b, c]) == .closeAccount(account: a, destination: b, owner: c))
            // Multisig signers after the authority are ignored.
            #expect(
                DecodedTokenInstruction.decode(data: [3] + ProgramFixtures.le(UInt64(5)), accounts: [a, b, c, d, d])
                    == .transfer(source: a, destination: b, authority: c, amount: 5))
            // Trailing bytes after a complete instruction are ignored, as the program does.
            #expect(
                DecodedTokenInstruction.decode(data: [7] + ProgramFixtures.le(UInt64(9)) + [0xAA], accounts: [a, b, c])
                    == .mintTo(mint: a, destination: b, authority: c, amount: 9))
            // Unknown SetAuthority kinds still decode (raw tag kept).
            #expect(
                DecodedTokenInstruction.decode(data: [6, 200, 0], accounts: [a, b])
                    == .setAuthority(account: a, currentAuthority: b, authorityType: 200, newAuthority: nil))
        }

        /// Token-2022's TransferFee instructions (26), laid out as spl-token-2022 does (the local chain's
        /// `transferFeesAreNeitherBurnsNorMints` runs them on the real program).
        @Test func transferFeeFormsDecode() {
            let amount = ProgramFixtures.le(UInt64(5_001))
            let fee = ProgramFixtures.le(UInt64(51))
            #expect(
                DecodedTokenInstruction.decode(data: [26, 1] + amount + [2] + fee, accounts: [a, b, c, d])
                    == .transferCheckedWithFee(source: a, mint: b, destination: c, authority: d, amount: 5_001, decimals: 2, fee: 51))
            #expect(
                DecodedTokenInstruction.decode(data: [26, 2], accounts: [a, b, c])
                    == .withdrawWithheldTokensFromMint(mint: a, destination: b, authority: c))
            // The sources are the last accounts, after the authority's multisig signers.
            #expect(
                DecodedTokenInstruction.decode(data: [26, 3, 2], accounts: [a, b, c, d, a, b])
                    == .withdrawWithheldTokensFromAccounts(mint: a, destination: b, authority: c, sources: [a, b]))
            #expect(DecodedTokenInstruction.decode(data: [26, 4], accounts: [a, b, c]) == .harvestWithheldTokensToMint(mint: a, sources: [b, c]))
            // Short data, too few accounts for the sources it counts, and the configuration's instructions are unknown.
            for (data, accounts) in [
                ([26, 1] + amount + [2], [a, b, c, d]), ([26, 1] + amount + [2] + fee, [a, b, c]), ([26, 3, 3], [a, b, c, d, a]),
                ([26, 3], [a, b, c]), ([26, 0], [a]), ([26, 5], [a, b]), ([26], [a]),
            ] as [([UInt8], [PublicKey])] {
                #expect(isUnknown(DecodedTokenInstruction.decode(data: data, accounts: accounts)), "\(data)")
            }
        }

        @Test func systemBuildersRoundTrip() {
            for lamports in Self.amounts {
                #expect(decodeSystem(SystemProgram.transfer(from: a, to: b, lamports: lamports)) == .transfer(from: a, to: b, lamports: lamports))
                for space in [UInt64(0), 82, 165, .max] {
                    #expect(
                        decodeSystem(SystemProgram.createAccount(from: a, newAccount: b, lamports: lamports, space: space, owner: c))
                            == .createAccount(from: a, newAccount: b, lamports: lamports, space: space, owner: c))
                }
            }
        }

        @Test func unknownKindsAreUnknown() {
            // Token tags the decoder does not model: Approve, Revoke, Freeze, Thaw, SyncNative, and beyond.
            for tag: UInt8 in [2, 4, 5, 10, 11, 13, 17, 19, 21, 22, 23, 24, 25, 38, 40, 100, 255] {
                let decoded = DecodedTokenInstruction.decode(data: [tag] + [UInt8](repeating: 0, count: 80), accounts: [a, b, c, d])
                guard case .unknown(let reported, let reason) = decoded else {
                    Issue.record("tag \(tag) decoded as \(decoded)")
                    continue
                }
                #expect(reported == tag)
                #expect(!reason.isEmpty)
            }
            #expect(DecodedTokenInstruction.decode(data: [], accounts: [a]) == .unknown(tag: nil, reason: "empty instruction data"))
            // MetadataPointer Update (39, 1) is not modelled.
            #expect(isUnknown(DecodedTokenInstruction.decode(data: [39, 1] + a.bytes, accounts: [a, b])))
            // Bad option tags and a bad metadata field index.
            #expect(isUnknown(DecodedTokenInstruction.decode(data: [20, 6] + b.bytes + [2] + c.bytes, accounts: [a])))
            #expect(isUnknown(DecodedTokenInstruction.decode(data: [6, 0, 7], accounts: [a, b])))
            #expect(isUnknown(DecodedTokenInstruction.decode(data: TokenMetadata.updateFieldDiscriminator + [4, 0, 0, 0, 0], accounts: [a, b])))
            // Invalid UTF-8 in a metadata string.
            #expect(
                isUnknown(DecodedTokenInstruction.decode(data: TokenMetadata.updateFieldDiscriminator + [0, 1, 0, 0, 0, 0xFF], accounts: [a, b])))

            // System: only CreateAccount (0) and Transfer (2).
            for kind: UInt32 in [1, 3, 4, 8, 12, 0x0100, .max] {
                #expect(
                    isUnknown(
                        DecodedSystemInstruction.decode(data: ProgramFixtures.le(kind) + [UInt8](repeating: 1, count: 60), accounts: [a, b, c])))
            }
            #expect(isUnknown(DecodedSystemInstruction.decode(data: [], accounts: [a, b])))
        }

        @Test func truncatedDataAndMissingAccountsAreUnknown() throws {
            for (instruction, _) in try tokenCases() {
                let keys = instruction.accounts.map(\.publicKey)
                for length in 0..<instruction.data.count {
                    #expect(
                        isUnknown(DecodedTokenInstruction.decode(data: Array(instruction.data.prefix(length)), accounts: keys)),
                        "\(instruction.data) cut to \(length)")
                }
                for count in 0..<keys.count {
                    #expect(
                        isUnknown(DecodedTokenInstruction.decode(data: instruction.data, accounts: Array(keys.prefix(count)))),
                        "\(instruction.data) with \(count) accounts")
                }
            }
            for instruction in [
                SystemProgram.transfer(from: a, to: b, lamports: 7),
                SystemProgram.createAccount(from: a, newAccount: b, lamports: 1, space: 2, owner: c),
            ] {
                let keys = instruction.accounts.map(\.publicKey)
                for length in 0..<instruction.data.count {
                    #expect(isUnknown(DecodedSystemInstruction.decode(data: Array(instruction.data.prefix(length)), accounts: keys)))
                }
                for count in 0..<keys.count {
                    #expect(isUnknown(DecodedSystemInstruction.decode(data: instruction.data, accounts: Array(keys.prefix(count)))))
                }
            }
            // The legacy forms need their accounts too.
            #expect(isUnknown(DecodedTokenInstruction.decode(data: [1], accounts: [a, b])))
            #expect(isUnknown(DecodedTokenInstruction.decode(data: [9], accounts: [a, b])))
        }

        /// Random bytes of every length 0...100, with and without a known tag in front and with 0-5 accounts: the
        /// decoders must return (anything) without trapping, and what they return must be self-consistent.
        @Test func randomBytesNeverTrap() {
            var rng = SeededGenerator(seed: 0x5EED_F1A7_7E4B_7E00)
            let knownTags: [UInt8] = [0, 1, 3, 6, 7, 8, 9, 12, 14, 15, 16, 18, 20, 39]
            var decodedSome = 0
            for round in 0..<40 {
                for length in 0...100 {
                    var data = rng.bytes(length)
                    switch round % 4 {
                    case 1 where length > 0: data[0] = knownTags.randomElement(using: &rng)!
                    case 2 where length >= 8: data.replaceSubrange(0..<8, with: TokenMetadata.initializeDiscriminator)
                    case 3 where length >= 8: data.replaceSubrange(0..<8, with: TokenMetadata.updateFieldDiscriminator)
                    default: break
                    }
                    let accounts = (0..<Int.random(in: 0...5, using: &rng)).map { _ in ProgramFixtures.key(UInt8.random(in: 0...255, using: &rng)) }
                    let token = DecodedTokenInstruction.decode(data: data, accounts: accounts)
                    if case .unknown(let tag, _) = token { #expect(tag == data.first) } else { decodedSome += 1 }
                    let system = DecodedSystemInstruction.decode(data: data, accounts: accounts)
                    if case .transfer(let from, _, _) = system { #expect(from == accounts[0]) }
                    // The account-state parsers must not trap either.
                    _ = try? TokenMintState(data: data)
                    _ = try? TokenAccountState(data: data)
                    _ = try? TokenMetadataState(mintData: data)
                }
            }
            // The tagged rounds reach the real decoding paths, not just the tag check.
            #expect(decodedSome > 50)
        }

        /// Longer random data behind a valid Token-2022 extension header exercises the TLV walk and borsh reads.
        @Test func randomExtensionAreasNeverTrap() {
            var rng = SeededGenerator(seed: 42)
            for _ in 0..<2000 {
                var data = [UInt8](repeating: 0, count: 165) + [1]
                data += rng.bytes(Int.random(in: 0...120, using: &rng))
                if Bool.random(using: &rng), data.count >= 170 {
                    // A plausible TokenMetadata header with a random length.
                    data[166] = 19
                    data[167] = 0
                }
                _ = try? TokenMetadataState(mintData: data)
                _ = try? MetadataPointerState(mintData: data)
            }
        }
    }
}
