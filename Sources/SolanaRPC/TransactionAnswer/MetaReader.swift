import SolanaCore

/// Reads a `getTransaction` answer's `meta` in place: the fee, the balances, the token balances, the inner
/// instructions, the log lines, the loaded addresses and the compute units; other members are skipped. Addresses go
/// through the caller's `AddressTextCache` (passed in place, never copied); what made a read fail is kept in
/// `problem` for the error message.
struct MetaReader {
    /// What `read` found; nil where the answer had no such member.
    struct Fields {
        var err: JSONValue?
        var fee: UInt64?
        var preBalances: [UInt64]?
        var postBalances: [UInt64]?
        var preTokenBalances: [TokenBalance] = []
        var postTokenBalances: [TokenBalance] = []
        var inner: [InnerInstructions] = []
        var logMessages: LogLines?
        var writable: [PublicKey] = []
        var readonly: [PublicKey] = []
        var computeUnits: UInt64?
    }

    /// Why the last read failed, in words, when a value was there but unusable.
    var problem: String?

    /// Reads the `meta` object `parser` is at; `entering` is told the name of each member as it is read.
    mutating func read(
        _ parser: inout JSONParser, addresses: inout AddressTextCache, entering: (String) -> Void
    ) throws(JSONParser.Failure) -> Fields {
        var fields = Fields()
        try parser.members { parser, name throws(JSONParser.Failure) in
            if name == "err" {
                entering("meta.err")
                let value = try parser.readValue()
                fields.err = value == .null ? nil : value
            } else if name == "fee" {
                entering("meta.fee")
                fields.fee = try parser.readUInt64()
            } else if name == "preBalances" {
                entering("meta.preBalances")
                fields.preBalances = try Self.unsignedList(&parser)
            } else if name == "postBalances" {
                entering("meta.postBalances")
                fields.postBalances = try Self.unsignedList(&parser)
            } else if name == "preTokenBalances" {
                entering("meta.preTokenBalances")
                fields.preTokenBalances = try tokenBalances(&parser, addresses: &addresses)
            } else if name == "postTokenBalances" {
                entering("meta.postTokenBalances")
                fields.postTokenBalances = try tokenBalances(&parser, addresses: &addresses)
            } else if name == "innerInstructions" {
                entering("meta.innerInstructions")
                if try parser.readNull() { return }
                fields.inner = try innerInstructions(&parser)
            } else if name == "logMessages" {
                entering("meta.logMessages")
                if try parser.readNull() { return }
                var lines = LogLines()
                try parser.elements { parser throws(JSONParser.Failure) in
                    try parser.readString { utf8 throws(JSONParser.Failure) in lines.append(utf8) }
                }
                fields.logMessages = lines
            } else if name == "loadedAddresses" {
                entering("meta.loadedAddresses")
                if try parser.readNull() { return }
                try parser.members { parser, name throws(JSONParser.Failure) in
                    if name == "writable" {
                        try parser.elements { parser throws(JSONParser.Failure) in fields.writable.append(try key(&parser, addresses: &addresses)) }
                    } else if name == "readonly" {
                        try parser.elements { parser throws(JSONParser.Failure) in fields.readonly.append(try key(&parser, addresses: &addresses)) }
                    } else {
                        try parser.skipValue()
                    }
                }
            } else if name == "computeUnitsConsumed" {
                entering("meta.computeUnitsConsumed")
                fields.computeUnits = try parser.readNull() ? nil : try parser.readUInt64()
            } else {
                try parser.skipValue()
            }
        }
        return fields
    }

    /// An address in base58 text.
    mutating func key(_ parser: inout JSONParser, addresses: inout AddressTextCache) throws(JSONParser.Failure) -> PublicKey {
        let at = parser.index
        return try parser.readString { utf8 throws(JSONParser.Failure) in
            guard let key = addresses.key(utf8) else {
                problem = "\(String(decoding: utf8, as: UTF8.self)) is not an address"
                throw JSONParser.Failure(offset: at, reason: "not an address")
            }
            return key
        }
    }

    static func unsignedList(_ parser: inout JSONParser) throws(JSONParser.Failure) -> [UInt64] {
        var list: [UInt64] = []
        try parser.elements { parser throws(JSONParser.Failure) in list.append(try parser.readUInt64()) }
        return list
    }

    /// An account or instruction index (at most u16).
    static func index(_ parser: inout JSONParser) throws(JSONParser.Failure) -> Int {
        let value = try parser.readUInt64()
        guard value <= UInt64(UInt16.max) else { throw JSONParser.Failure(offset: parser.index, reason: "an index out of range") }
        return Int(value)
    }

    /// `preTokenBalances` or `postTokenBalances` (null reads as none).
    mutating func tokenBalances(_ parser: inout JSONParser, addresses: inout AddressTextCache) throws(JSONParser.Failure) -> [TokenBalance] {
        var list: [TokenBalance] = []
        if try parser.readNull() { return list }
        try parser.elements { parser throws(JSONParser.Failure) in
            var accountIndex: Int?
            var mint: PublicKey?
            var owner: PublicKey?
            var program: PublicKey?
            var amount: UInt64?
            var decimals: UInt64?
            try parser.members { parser, name throws(JSONParser.Failure) in
                if name == "accountIndex" {
                    accountIndex = try Self.index(&parser)
                } else if name == "mint" {
                    mint = try key(&parser, addresses: &addresses)
                } else if name == "owner" {
                    owner = try parser.readNull() ? nil : try key(&parser, addresses: &addresses)
                } else if name == "programId" {
                    program = try parser.readNull() ? nil : try key(&parser, addresses: &addresses)
                } else if name == "uiTokenAmount" {
                    try parser.members { parser, name throws(JSONParser.Failure) in
                        if name == "amount" {
                            amount = try tokenAmount(&parser)
                        } else if name == "decimals" {
                            decimals = try parser.readUInt64()
                        } else {
                            try parser.skipValue()
                        }
                    }
                } else {
                    try parser.skipValue()
                }
            }
            guard let accountIndex, let mint, let amount, let decimals, decimals <= 255 else {
                throw JSONParser.Failure(offset: parser.index, reason: "a token balance without accountIndex, mint or uiTokenAmount")
            }
            list.append(
                TokenBalance(accountIndex: accountIndex, mint: mint, owner: owner, programID: program, amount: amount, decimals: UInt8(decimals)))
        }
        return list
    }

    /// A token amount: a u64 in decimal text.
    mutating func tokenAmount(_ parser: inout JSONParser) throws(JSONParser.Failure) -> UInt64 {
        let at = parser.index
        return try parser.readString { utf8 throws(JSONParser.Failure) in
            var inner = JSONParser(utf8)
            guard let value = try? inner.readUInt64(), inner.index == utf8.count else {
                problem = "token amount \(String(decoding: utf8, as: UTF8.self)) is not a u64"
                throw JSONParser.Failure(offset: at, reason: "not a u64")
            }
            return value
        }
    }

    /// `innerInstructions`: each group's index and its instructions (program index, accounts, base58 data, stack height).
    mutating func innerInstructions(_ parser: inout JSONParser) throws(JSONParser.Failure) -> [InnerInstructions] {
        var groups: [InnerInstructions] = []
        try parser.elements { parser throws(JSONParser.Failure) in
            var group: Int?
            var instructions: [InnerInstruction] = []
            try parser.members { parser, name throws(JSONParser.Failure) in
                if name == "index" {
                    group = try Self.index(&parser)
                } else if name == "instructions" {
                    try parser.elements { parser throws(JSONParser.Failure) in instructions.append(try innerInstruction(&parser)) }
                } else {
                    try parser.skipValue()
                }
            }
            guard let group else { throw parser.failure("inner instructions without an index") }
            groups.append(InnerInstructions(index: group, instructions: instructions))
        }
        return groups
    }

    mutating func innerInstruction(_ parser: inout JSONParser) throws(JSONParser.Failure) -> InnerInstruction {
        var program: Int?
        var accounts: [Int]?
        var data: [UInt8]?
        var stackHeight: Int?
        try parser.members { parser, name throws(JSONParser.Failure) in
            if name == "programIdIndex" {
                program = try Self.index(&parser)
            } else if name == "accounts" {
                var list: [Int] = []
                try parser.elements { parser throws(JSONParser.Failure) in list.append(try Self.index(&parser)) }
                accounts = list
            } else if name == "data" {
                let at = parser.index
                data = try parser.readString { utf8 throws(JSONParser.Failure) in
                    guard let bytes = try? Base58.decode(utf8) else {
                        problem = "inner instruction data is not base58"
                        throw JSONParser.Failure(offset: at, reason: "not base58")
                    }
                    return bytes
                }
            } else if name == "stackHeight" {
                stackHeight = try parser.readNull() ? nil : try Self.index(&parser)
            } else {
                try parser.skipValue()
            }
        }
        guard let program, let accounts, let data else {
            throw parser.failure("an inner instruction without programIDIndex, accounts or data")
        }
        return InnerInstruction(programIDIndex: program, accounts: accounts, data: data, stackHeight: stackHeight)
    }
}
