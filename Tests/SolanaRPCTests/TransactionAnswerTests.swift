import Foundation
import SolanaCore
import Testing

@testable import SolanaRPC

/// `TransactionAnswer`, which decodes `getTransaction` answers straight from the reply's bytes: every field the
/// indexer reads, whatever the key order, whitespace, escapes and unknown fields, and a clear refusal naming what is
/// wrong in a malformed answer.
struct TransactionAnswerTests {
    static let payer = try! Keypair(seed: [UInt8](repeating: 5, count: 32))
    static let recipient = try! Keypair(seed: [UInt8](repeating: 6, count: 32)).publicKey
    static let mint = try! Keypair(seed: [UInt8](repeating: 7, count: 32)).publicKey
    static let owner = try! Keypair(seed: [UInt8](repeating: 8, count: 32)).publicKey
    static let loaded = try! Keypair(seed: [UInt8](repeating: 9, count: 32)).publicKey

    static let transaction: Transaction = {
        let message = try! LegacyMessage(
            payer: payer.publicKey, instructions: [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 42)],
            recentBlockhash: try! Blockhash(bytes: [UInt8](repeating: 3, count: 32)))
        return try! Transaction(message: .legacy(message), signers: [payer])
    }()

    /// The answer as a node writes it, with `overrides` replacing (or, as nil, removing) top-level or meta members.
    static func answer(result: [String: String?] = [:], meta: [String: String?] = [:]) -> String {
        let wire = Data(transaction.serialized()).base64EncodedString()
        var metaMembers: [(String, String?)] = [
            ("status", #"{"Ok":null}"#),
            ("err", "null"),
            ("fee", "5000"),
            ("preBalances", "[1000000, 0, 1]"),
            ("postBalances", " [ 994958 , 42 , 1 ] "),
            (
                "innerInstructions",
                #"[{"index":0,"instructions":[{"programIdIndex":2,"accounts":[0,1],"data":"3Bxs4NN8M2Yn4TLb","stackHeight":2},{"accounts":[],"data":"","programIdIndex":2,"stackHeight":null}]}]"#
            ),
            ("logMessages", #"["Program 11111111111111111111111111111111 invoke [1]","Program log: Memo (len 7): \"a\\b\u00e9\"","tab\there"]"#),
            (
                "preTokenBalances",
                #"[{"accountIndex":1,"mint":"\#(mint)","owner":"\#(owner)","programId":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","uiTokenAmount":{"uiAmount":1.5,"decimals":6,"amount":"1500000","uiAmountString":"1.5"}}]"#
            ),
            (
                "postTokenBalances",
                #"[{"uiTokenAmount":{"amount":"18446744073709551615","decimals":0},"accountIndex":1,"mint":"\#(mint)","owner":null}]"#
            ),
            ("rewards", "[]"),
            ("loadedAddresses", #"{"readonly":[],"writable":[]}"#),
            ("returnData", #"{"programId":"11111111111111111111111111111111","data":["", "base64"]}"#),
            ("computeUnitsConsumed", "150"),
        ]
        for (key, value) in meta {
            if let index = metaMembers.firstIndex(where: { $0.0 == key }) { metaMembers[index].1 = value } else { metaMembers.append((key, value)) }
        }
        var members: [(String, String?)] = [
            ("blockTime", "1700000000"),
            ("meta", "{" + metaMembers.compactMap { key, value in value.map { "\"\(key)\": \($0)" } }.joined(separator: ", ") + "}"),
            ("slot", "12345"),
            ("transaction", "[\"\(wire)\", \"base64\"]"),
            ("version", "\"legacy\""),
        ]
        for (key, value) in result {
            if let index = members.firstIndex(where: { $0.0 == key }) { members[index].1 = value } else { members.append((key, value)) }
        }
        return "{" + members.compactMap { key, value in value.map { "\"\(key)\":\($0)" } }.joined(separator: ",") + "}"
    }

    static func decode(_ text: String) throws(RPCError) -> FetchedTransaction {
        let bytes = Array(("  " + text + " ").utf8)
        let result: Result<FetchedTransaction, RPCError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer, at: 2)
            do throws(RPCError) {
                let fetched = try TransactionAnswer.decode(&parser)
                #expect(parser.index == bytes.count - 1)
                return .success(fetched)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Log lines are kept as bytes and read back as the same strings, empty and non-ASCII lines included.
    @Test func logLinesReadBackAsTheyWereGiven() {
        let given = ["Program log: café ✓", "", "Program log: \"quoted\" \\ tab\t", "x"]
        let lines = LogLines(given)
        #expect(lines.count == 4 && Array(lines) == given && lines[1] == "" && lines[0] == "Program log: café ✓")
        #expect(lines == LogLines(given) && lines != LogLines(given.dropLast()) && LogLines().isEmpty)
        #expect(LogLines(["ab", "c"]) != LogLines(["a", "bc"]), "the same bytes split differently are other lines")
    }

    /// The address cache a batch's answers share: whatever lands in a slot, a key comes back only for its own text
    /// (texts that share a slot replace each other), and text that is not an address is refused as without it.
    @Test func addressTextCacheGivesEachTextItsOwnKey() throws {
        var cache = AddressTextCache()
        let keys = (0..<2_000).map { _ in Keypair.generate().publicKey } + [.zero, Self.mint, TokenProgram.token.programID]
        for round in 0..<3 {
            for key in round == 1 ? keys.reversed() : keys {
                var text = key.base58
                let decoded = text.withUTF8 { cache.key($0) }
                #expect(decoded == key, "\(text)")
            }
        }
        for bad in ["0OIl", String(repeating: "z", count: 44), String(repeating: "1", count: 31), "abc"] {
            var text = bad
            #expect(text.withUTF8 { cache.key($0) } == nil, "\(bad)")
        }
    }

    @Test func decodesEveryFieldTheIndexerReads() throws {
        let fetched = try Self.decode(Self.answer())
        #expect(fetched.signature == Self.transaction.signatures[0])
        #expect(fetched.slot == 12345)
        #expect(fetched.blockTime == 1_700_000_000)
        #expect(fetched.transaction == Self.transaction)
        let meta = fetched.meta
        #expect(meta.error == nil)
        #expect(meta.fee == 5000)
        #expect(meta.preBalances == [1_000_000, 0, 1])
        #expect(meta.postBalances == [994_958, 42, 1])
        #expect(
            meta.innerInstructions == [
                InnerInstructions(
                    index: 0,
                    instructions: [
                        InnerInstruction(programIDIndex: 2, accounts: [0, 1], data: try Base58.decode("3Bxs4NN8M2Yn4TLb"), stackHeight: 2),
                        InnerInstruction(programIDIndex: 2, accounts: [], data: [], stackHeight: nil),
                    ])
            ])
        #expect(meta.logMessages == ["Program 11111111111111111111111111111111 invoke [1]", "Program log: Memo (len 7): \"a\\bé\"", "tab\there"])
        #expect(
            meta.preTokenBalances == [
                TokenBalance(
                    accountIndex: 1, mint: Self.mint, owner: Self.owner, programID: TokenProgram.token.programID, amount: 1_500_000, decimals: 6)
            ])
        #expect(meta.postTokenBalances == [TokenBalance(accountIndex: 1, mint: Self.mint, owner: nil, programID: nil, amount: .max, decimals: 0)])
        #expect(meta.loadedWritable.isEmpty && meta.loadedReadonly.isEmpty)
        #expect(meta.computeUnitsConsumed == 150)
    }

    @Test func readsErrorsNullsAndLoadedAddresses() throws {
        let fetched = try Self.decode(
            Self.answer(
                result: ["blockTime": "null", "version": "0"],
                meta: [
                    "err": #"{"InstructionError":[0,{"Custom":1}]}"#, "innerInstructions": "null", "logMessages": "null",
                    "preTokenBalances": "[]", "postTokenBalances": nil, "computeUnitsConsumed": nil,
                    "loadedAddresses": #"{"writable":["\#(Self.loaded)"],"readonly":[]}"#,
                    "preBalances": "[1, 2, 3, 4]", "postBalances": "[1, 2, 3, 4]",
                ]))
        #expect(fetched.blockTime == nil)
        #expect(fetched.meta.error == .object(["InstructionError": .array([.int(0), .object(["Custom": .int(1)])])]))
        #expect(fetched.meta.innerInstructions.isEmpty && fetched.meta.logMessages == nil)
        #expect(fetched.meta.preTokenBalances.isEmpty && fetched.meta.postTokenBalances.isEmpty)
        #expect(fetched.meta.loadedWritable == [Self.loaded])
        #expect(fetched.accountKeys.count == 4)
        #expect(fetched.meta.computeUnitsConsumed == nil)
    }

    static let malformed: [(result: [String: String?], meta: [String: String?], says: String)] = [
        (["slot": nil], [:], "no slot"),
        (["slot": "-1"], [:], "slot"),
        (["slot": "1.5"], [:], "slot"),
        (["meta": "null"], [:], "no meta"),
        (["transaction": #"["AAAA", "base58"]"#], [:], "base64"),
        (["transaction": #"["not base64!"]"#], [:], "base64"),
        ([:], ["fee": nil], "no fee"),
        ([:], ["fee": "\"5000\""], "meta.fee"),
        ([:], ["preBalances": "[1, 2]"], "2 balances for 3 accounts"),
        ([:], ["preTokenBalances": #"[{"accountIndex":1,"mint":"0OIl","uiTokenAmount":{"amount":"1","decimals":0}}]"#], "0OIl is not an address"),
        (
            [:], ["postTokenBalances": #"[{"accountIndex":1,"mint":"\#(mint)","uiTokenAmount":{"amount":"18446744073709551616","decimals":0}}]"#],
            "is not a u64"
        ),
        ([:], ["postTokenBalances": #"[{"accountIndex":1,"uiTokenAmount":{"amount":"1","decimals":0}}]"#], "meta.postTokenBalances"),
        ([:], ["innerInstructions": #"[{"index":0,"instructions":[{"programIdIndex":2,"accounts":[0],"data":"0"}]}]"#], "not base58"),
        ([:], ["logMessages": "[1]"], "meta.logMessages"),
        ([:], ["fee": "5000,"], "meta"),
        (
            [:], ["preTokenBalances": #"[{"accountIndex":3,"mint":"\#(mint)","uiTokenAmount":{"amount":"1","decimals":0}}]"#],
            "meta.preTokenBalances names account 3, but the transaction has 3 accounts"
        ),
        (
            [:], ["postTokenBalances": #"[{"accountIndex":65535,"mint":"\#(mint)","uiTokenAmount":{"amount":"1","decimals":0}}]"#],
            "meta.postTokenBalances names account 65535, but the transaction has 3 accounts"
        ),
        // Block times no date in PostgreSQL's range (or any year of ours) has: stored, one trapped the process, and
        // any other failed the COPY at every try, holding the address back for good.
        (["blockTime": "-9223372036854775808"], [:], "blockTime -9223372036854775808 is not a time"),
        (["blockTime": "1000000000000000"], [:], "blockTime 1000000000000000 is not a time"),
    ]

    @Test(arguments: 0..<malformed.count)
    func refusesAMalformedAnswerNamingWhatIsWrong(_ index: Int) {
        let (result, meta, says) = Self.malformed[index]
        do {
            let fetched = try Self.decode(Self.answer(result: result, meta: meta))
            Issue.record("decoded \(fetched.signature) from a malformed answer (\(says))")
        } catch {
            #expect(error.code == .invalidResponse)
            #expect(error.message.contains(says), "\(error.message) does not say \(says)")
        }
    }

    /// A token balance may name an account a lookup table loaded: the accounts it counts include the loaded ones.
    @Test func aTokenBalanceMayNameALoadedAccount() throws {
        let fetched = try Self.decode(
            Self.answer(
                result: ["version": "0"],
                meta: [
                    "loadedAddresses": #"{"writable":["\#(Self.loaded)"],"readonly":[]}"#, "preBalances": "[1, 2, 3, 4]",
                    "postBalances": "[1, 2, 3, 4]",
                    "postTokenBalances": #"[{"accountIndex":3,"mint":"\#(Self.mint)","uiTokenAmount":{"amount":"1","decimals":0}}]"#,
                ]))
        #expect(fetched.meta.postTokenBalances.map(\.accountIndex) == [3])
    }

    /// The answer's signature is its transaction's own (the client compares it with the one it asked for).
    @Test func takesTheSignatureFromTheTransaction() throws {
        #expect(try Self.decode(Self.answer()).signature == Self.transaction.signatures[0])
    }
}

/// `getSignaturesForAddress` entries read in place: every field, and a refusal naming a malformed entry.
struct SignatureEntriesTests {
    static func read(_ text: String) throws(RPCError) -> [SignatureInfo] {
        let bytes = Array(text.utf8)
        let result: Result<[SignatureInfo], RPCError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer)
            do throws(RPCError) { return .success(try SolanaRPCClient.signatureInfos(&parser)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    @Test func readsEveryField() throws {
        let first = TransactionAnswerTests.transaction.signatures[0]
        let entries = try Self.read(
            """
            [{"signature":"\(first)","slot":7,"err":null,"memo":"[4] a \\"b\\"","blockTime":1700000000,"confirmationStatus":"finalized"},
             {"blockTime":null,"confirmationStatus":null,"err":{"InstructionError":[0,"InvalidArgument"]},"memo":null,"slot":18446744073709551615,"signature":"\(Signature.zero)","extra":[1.5,{"x":"y"}]}]
            """)
        #expect(
            entries == [
                SignatureInfo(signature: first, slot: 7, error: nil, memo: "[4] a \"b\"", blockTime: 1_700_000_000, confirmationStatus: .finalized),
                SignatureInfo(
                    signature: .zero, slot: .max, error: .object(["InstructionError": .array([.int(0), .string("InvalidArgument")])]), memo: nil,
                    blockTime: nil, confirmationStatus: nil),
            ])
        #expect(try Self.read("[]").isEmpty)
    }

    @Test(arguments: [
        (#"[{"slot":1}]"#, "without a signature"), (#"[{"signature":"abc","slot":1}]"#, "malformed signature"),
        (#"[{"signature":"\#(Signature.zero)"}]"#, "without a slot"), (#"[{"signature":"\#(Signature.zero)","slot":-1}]"#, "malformed slot"),
        (#"{"signature":"x"}"#, "malformed answer"),
    ])
    func refusesAMalformedEntry(_ text: String, _ says: String) {
        do {
            _ = try Self.read(text)
            Issue.record("read \(text)")
        } catch {
            #expect(error.code == .invalidResponse)
            #expect(error.message.contains(says), "\(error.message)")
        }
    }
}
