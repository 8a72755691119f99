import Foundation
import SolanaCore
import Testing

/// Every instruction builder against the reference vectors: program id, account metas and data, byte for byte;
/// and every token/system vector decodes back to its parameters.
@Suite struct InstructionVectorTests {
    let vectors = ReferenceVectors.shared.instructions

    struct Params {
        let raw: [String: VectorJSON]
        func key(_ name: String) -> PublicKey { PublicKey(vector: string(name)) }
        func optionalKey(_ name: String) -> PublicKey? { if case .string(let text)? = raw[name] { PublicKey(vector: text) } else { nil } }
        func string(_ name: String) -> String { if case .string(let text)? = raw[name] { text } else { "" } }
        func int(_ name: String) -> Int128 { if case .int(let value)? = raw[name] { value } else { -1 } }
        func u64(_ name: String) -> UInt64 { UInt64(int(name)) }
        func u8(_ name: String) -> UInt8 { UInt8(int(name)) }
        func bool(_ name: String) -> Bool { if case .bool(let value)? = raw[name] { value } else { false } }
        func keys(_ name: String) -> [PublicKey] {
            if case .array(let items)? = raw[name] {
                items.compactMap { if case .string(let t) = $0 { PublicKey(vector: t) } else { nil } }
            } else {
                []
            }
        }
    }

    func build(_ name: String, _ p: Params) throws -> Instruction? {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        let token = parts[0] == "token2022" ? TokenProgram.token2022 : TokenProgram.token
        switch (parts[0], parts.count > 1 ? parts[1] : "") {
        case ("system", "create_account"):
            return SystemProgram.createAccount(
                from: p.key("from"), newAccount: p.key("new_account"), lamports: p.u64("lamports"), space: p.u64("space"), owner: p.key("owner"))
        case ("system", "transfer"):
            return SystemProgram.transfer(from: p.key("from"), to: p.key("to"), lamports: p.u64("lamports"))
        case ("system", "allocate"):
            return SystemProgram.allocate(account: p.key("account"), space: p.u64("space"))
        case ("system", "assign"):
            return SystemProgram.assign(account: p.key("account"), owner: p.key("owner"))
        case ("token", "initialize_mint2"), ("token2022", "initialize_mint2"):
            return token.initializeMint2(
                mint: p.key("mint"), decimals: p.u8("decimals"), mintAuthority: p.key("mint_authority"),
                freezeAuthority: p.optionalKey("freeze_authority"))
        case ("token", "initialize_account3"), ("token2022", "initialize_account3"):
            return token.initializeAccount3(account: p.key("account"), mint: p.key("mint"), owner: p.key("owner"))
        case ("token", "mint_to"), ("token2022", "mint_to"):
            return token.mintTo(mint: p.key("mint"), destination: p.key("destination"), authority: p.key("authority"), amount: p.u64("amount"))
        case ("token", "mint_to_checked"), ("token2022", "mint_to_checked"):
            return token.mintToChecked(
                mint: p.key("mint"), destination: p.key("destination"), authority: p.key("authority"), amount: p.u64("amount"),
                decimals: p.u8("decimals"))
        case ("token", "transfer"), ("token2022", "transfer"):
            return token.transfer(source: p.key("source"), destination: p.key("destination"), owner: p.key("owner"), amount: p.u64("amount"))
        case ("token", "transfer_checked"), ("token2022", "transfer_checked"):
            return token.transferChecked(
                source: p.key("source"), mint: p.key("mint"), destination: p.key("destination"), owner: p.key("owner"), amount: p.u64("amount"),
                decimals: p.u8("decimals"))
        case ("token", "burn"), ("token2022", "burn"):
            return token.burn(account: p.key("account"), mint: p.key("mint"), owner: p.key("owner"), amount: p.u64("amount"))
        case ("token", "burn_checked"), ("token2022", "burn_checked"):
            return token.burnChecked(
                account: p.key("account"), mint: p.key("mint"), owner: p.key("owner"), amount: p.u64("amount"), decimals: p.u8("decimals"))
        case ("token", "set_authority"), ("token2022", "set_authority"):
            let kind = try #require(TokenProgram.AuthorityType(rawValue: p.u8("authority_type")))
            return token.setAuthority(
                account: p.key("account"), currentAuthority: p.key("current_authority"), authorityType: kind,
                newAuthority: p.optionalKey("new_authority"))
        case ("token2022", "metadata_pointer_initialize"):
            return MetadataPointer.initialize(
                mint: p.key("mint"), authority: p.optionalKey("authority"), metadataAddress: p.optionalKey("metadata_address"))
        case ("token2022", "token_metadata_initialize"):
            return try TokenMetadata.initialize(
                metadata: p.key("metadata"), updateAuthority: p.key("update_authority"), mint: p.key("mint"), mintAuthority: p.key("mint_authority"),
                name: p.string("name"), symbol: p.string("symbol"), uri: p.string("uri"))
        case ("token2022", "token_metadata_update_field"):
            let field: TokenMetadata.Field =
                switch p.string("field") {
                case "name": .name
                case "symbol": .symbol
                case "uri": .uri
                case let other: .key(other)
                }
            return try TokenMetadata.updateField(
                metadata: p.key("metadata"), updateAuthority: p.key("update_authority"), field: field, value: p.string("value"))
        case ("ata", "create"):
            return try AssociatedTokenAccountProgram.create(
                payer: p.key("payer"), wallet: p.key("wallet"), mint: p.key("mint"), tokenProgram: p.key("token_program"))
        case ("ata", "create_idempotent"):
            return try AssociatedTokenAccountProgram.createIdempotent(
                payer: p.key("payer"), wallet: p.key("wallet"), mint: p.key("mint"), tokenProgram: p.key("token_program"))
        case ("memo", _):
            return MemoProgram.memo(p.string("memo"), signers: p.keys("signers"))
        case ("compute_budget", "set_compute_unit_limit"):
            return ComputeBudgetProgram.setComputeUnitLimit(UInt32(p.int("units")))
        case ("compute_budget", "set_compute_unit_price"):
            return ComputeBudgetProgram.setComputeUnitPrice(microLamports: p.u64("micro_lamports"))
        case ("metaplex", "create_metadata_account_v3"):
            #expect(try MetaplexTokenMetadataProgram.metadataAddress(mint: p.key("mint")) == p.key("metadata"))
            return try MetaplexTokenMetadataProgram.createMetadataAccountV3(
                metadata: p.key("metadata"), mint: p.key("mint"), mintAuthority: p.key("mint_authority"), payer: p.key("payer"),
                updateAuthority: p.key("update_authority"), name: p.string("name"), symbol: p.string("symbol"), uri: p.string("uri"),
                sellerFeeBasisPoints: UInt16(p.int("seller_fee_basis_points")), isMutable: p.bool("is_mutable"),
                updateAuthorityIsSigner: p.bool("update_authority_is_signer"))
        default:
            return nil
        }
    }

    @Test func everyBuilderMatchesTheReferenceBytes() throws {
        var names = Set<String>()
        for (index, vector) in vectors.enumerated() {
            let built = try #require(try build(vector.name, Params(raw: vector.params)), "no builder for \(vector.name)")
            #expect(built.programID.base58 == vector.program_id, "\(index) \(vector.name) program")
            #expect(built.accounts == vector.accounts.map(\.meta), "\(index) \(vector.name) accounts")
            #expect(Hex.encode(built.data) == vector.data_hex, "\(index) \(vector.name) data")
            names.insert(vector.name)
        }
        // Every builder the issue names is covered, on both token programs.
        #expect(names.count == 31, "\(names.sorted())")
    }

    @Test func tokenAndSystemVectorsDecodeToTheirParameters() throws {
        var decoded = 0
        for vector in vectors {
            let p = Params(raw: vector.params)
            let accounts = vector.accounts.map { PublicKey(vector: $0.pubkey) }
            let data = hexBytes(vector.data_hex)
            let expected: DecodedTokenInstruction? =
                switch vector.name.split(separator: ".").last.map(String.init) ?? "" {
                case "initialize_mint2":
                    .initializeMint(
                        mint: p.key("mint"), decimals: p.u8("decimals"), mintAuthority: p.key("mint_authority"),
                        freezeAuthority: p.optionalKey("freeze_authority"))
                case "initialize_account3": .initializeAccount(account: p.key("account"), mint: p.key("mint"), owner: p.key("owner"))
                case "mint_to":
                    .mintTo(mint: p.key("mint"), destination: p.key("destination"), authority: p.key("authority"), amount: p.u64("amount"))
                case "mint_to_checked":
                    .mintToChecked(
                        mint: p.key("mint"), destination: p.key("destination"), authority: p.key("authority"), amount: p.u64("amount"),
                        decimals: p.u8("decimals"))
                case "transfer" where vector.name.hasPrefix("token"):
                    .transfer(source: p.key("source"), destination: p.key("destination"), authority: p.key("owner"), amount: p.u64("amount"))
                case "transfer_checked":
                    .transferChecked(
                        source: p.key("source"), mint: p.key("mint"), destination: p.key("destination"), authority: p.key("owner"),
                        amount: p.u64("amount"), decimals: p.u8("decimals"))
                case "burn": .burn(account: p.key("account"), mint: p.key("mint"), authority: p.key("owner"), amount: p.u64("amount"))
                case "burn_checked":
                    .burnChecked(
                        account: p.key("account"), mint: p.key("mint"), authority: p.key("owner"), amount: p.u64("amount"), decimals: p.u8("decimals")
                    )
                case "set_authority":
                    .setAuthority(
                        account: p.key("account"), currentAuthority: p.key("current_authority"), authorityType: p.u8("authority_type"),
                        newAuthority: p.optionalKey("new_authority"))
                default: nil
                }
            if let expected, vector.name.hasPrefix("token") {
                #expect(DecodedTokenInstruction.decode(data: data, accounts: accounts) == expected, "\(vector.name)")
                decoded += 1
            }
            if vector.name == "system.transfer" {
                #expect(
                    DecodedSystemInstruction.decode(data: data, accounts: accounts)
                        == .transfer(from: p.key("from"), to: p.key("to"), lamports: p.u64("lamports")))
                decoded += 1
            }
            if vector.name == "system.create_account" {
                #expect(
                    DecodedSystemInstruction.decode(data: data, accounts: accounts)
                        == .createAccount(
                            from: p.key("from"), newAccount: p.key("new_account"), lamports: p.u64("lamports"), space: p.u64("space"),
                            owner: p.key("owner")))
                decoded += 1
            }
        }
        #expect(decoded >= 100)
    }
}

@Suite struct AssociatedTokenAccountTests {
    @Test func precomputedAddressOverloadsMatchTheDerivingBuilders() throws {
        for vector in ReferenceVectors.shared.associated_token_addresses {
            let (wallet, mint, program) = (PublicKey(vector: vector.wallet), PublicKey(vector: vector.mint), PublicKey(vector: vector.token_program))
            let ata = try AssociatedTokenAccountProgram.address(wallet: wallet, mint: mint, tokenProgram: program)
            #expect(ata.base58 == vector.address)
            let payer = PublicKey(vector: vector.mint)
            #expect(
                AssociatedTokenAccountProgram.createIdempotent(
                    payer: payer, associatedTokenAccount: ata, wallet: wallet, mint: mint, tokenProgram: program)
                    == (try AssociatedTokenAccountProgram.createIdempotent(payer: payer, wallet: wallet, mint: mint, tokenProgram: program)))
            #expect(
                AssociatedTokenAccountProgram.create(payer: payer, associatedTokenAccount: ata, wallet: wallet, mint: mint, tokenProgram: program)
                    == (try AssociatedTokenAccountProgram.create(payer: payer, wallet: wallet, mint: mint, tokenProgram: program)))
        }
    }
}
