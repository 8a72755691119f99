/// Collects the accounts of a list of instructions with Solana's rules (solana-sdk `CompiledKeys`): every key
/// once, with the strongest flags any instruction gives it; the payer is a writable signer.
struct CompiledKeys {
    struct Meta {
        var isSigner = false
        var isWritable = false
        var isInvoked = false
    }

    let payer: PublicKey
    /// Keys other than the payer, sorted by bytes as solana-sdk's `BTreeMap` orders them.
    var entries: [(key: PublicKey, meta: Meta)]

    init(payer: PublicKey, instructions: [Instruction]) {
        self.payer = payer
        var metas: [PublicKey: Meta] = [:]
        metas.reserveCapacity(instructions.count * 4 + 1)
        for instruction in instructions {
            metas[instruction.programID, default: Meta()].isInvoked = true
            for account in instruction.accounts {
                var meta = metas[account.publicKey, default: Meta()]
                meta.isSigner = meta.isSigner || account.isSigner
                meta.isWritable = meta.isWritable || account.isWritable
                metas[account.publicKey] = meta
            }
        }
        metas[payer] = nil
        entries = metas.map { (key: $0.key, meta: $0.value) }.sorted { $0.key < $1.key }
    }

    /// Moves the keys that `table` holds and that may be loaded from a table (not signers, not invoked programs)
    /// out of the static set; returns the lookup, or nil when the table supplies nothing.
    mutating func extractLookup(
        _ table: AddressLookupTableAccount
    ) throws(SolanaCoreError) -> (MessageAddressTableLookup, writable: [PublicKey], readonly: [PublicKey])? {
        var firstIndex: [PublicKey: Int] = [:]
        for (index, address) in table.addresses.enumerated() where firstIndex[address] == nil { firstIndex[address] = index }
        var writableIndexes: [UInt8] = []
        var writableKeys: [PublicKey] = []
        var readonlyIndexes: [UInt8] = []
        var readonlyKeys: [PublicKey] = []
        var drained = Set<PublicKey>()
        for wantWritable in [true, false] {
            for entry in entries where !entry.meta.isSigner && !entry.meta.isInvoked && entry.meta.isWritable == wantWritable {
                guard let index = firstIndex[entry.key] else { continue }
                guard index <= Int(UInt8.max) else {
                    throw SolanaCoreError(
                        .tooManyAccounts,
                        "lookup table \(table.key) holds \(entry.key) at index \(index); a message can only address table entries 0...255")
                }
                if wantWritable {
                    writableIndexes.append(UInt8(index))
                    writableKeys.append(entry.key)
                } else {
                    readonlyIndexes.append(UInt8(index))
                    readonlyKeys.append(entry.key)
                }
                drained.insert(entry.key)
            }
        }
        guard !drained.isEmpty else { return nil }
        entries.removeAll { drained.contains($0.key) }
        let lookup = MessageAddressTableLookup(accountKey: table.key, writableIndexes: writableIndexes, readonlyIndexes: readonlyIndexes)
        return (lookup, writableKeys, readonlyKeys)
    }

    /// The header and the static keys: writable signers (payer first), read-only signers, writable non-signers,
    /// read-only non-signers.
    func messageComponents() throws(SolanaCoreError) -> (MessageHeader, [PublicKey]) {
        var writableSigners = [payer]
        var readonlySigners: [PublicKey] = []
        var writableOthers: [PublicKey] = []
        var readonlyOthers: [PublicKey] = []
        for (key, meta) in entries {
            switch (meta.isSigner, meta.isWritable) {
            case (true, true): writableSigners.append(key)
            case (true, false): readonlySigners.append(key)
            case (false, true): writableOthers.append(key)
            case (false, false): readonlyOthers.append(key)
            }
        }
        let keys = writableSigners + readonlySigners + writableOthers + readonlyOthers
        guard keys.count <= 256 else {
            throw SolanaCoreError(
                .tooManyAccounts,
                "the instructions use \(keys.count) distinct accounts; a message holds at most 256 (use a v0 message with lookup tables)")
        }
        guard writableSigners.count + readonlySigners.count <= 255 else {
            throw SolanaCoreError(.tooManyAccounts, "the instructions need \(writableSigners.count + readonlySigners.count) signers; at most 255 fit")
        }
        let header = MessageHeader(
            numRequiredSignatures: UInt8(writableSigners.count + readonlySigners.count),
            numReadonlySignedAccounts: UInt8(readonlySigners.count),
            numReadonlyUnsignedAccounts: UInt8(readonlyOthers.count)
        )
        return (header, keys)
    }

    /// Turns instructions into index form against `accountKeys` (static keys, then loaded writable, then loaded
    /// read-only), using each key's first position.
    static func compile(_ instructions: [Instruction], accountKeys: [PublicKey]) throws(SolanaCoreError) -> [CompiledInstruction] {
        guard accountKeys.count <= 256 else {
            throw SolanaCoreError(.tooManyAccounts, "the message addresses \(accountKeys.count) accounts; at most 256 fit")
        }
        var position: [PublicKey: UInt8] = [:]
        position.reserveCapacity(accountKeys.count)
        for (index, key) in accountKeys.enumerated() where position[key] == nil { position[key] = UInt8(index) }
        var compiled: [CompiledInstruction] = []
        compiled.reserveCapacity(instructions.count)
        for (number, instruction) in instructions.enumerated() {
            guard instruction.data.count <= 0xFFFF, instruction.accounts.count <= 0xFFFF else {
                throw SolanaCoreError(
                    .invalidArgument,
                    "instruction \(number) is too large to encode (\(instruction.data.count) data bytes, \(instruction.accounts.count) accounts)")
            }
            // Every key was collected above, so every lookup succeeds.
            guard let program = position[instruction.programID] else {
                throw SolanaCoreError(
                    .invalidArgument, "instruction \(number)'s program \(instruction.programID) is not among the message's accounts")
            }
            var indexes: [UInt8] = []
            indexes.reserveCapacity(instruction.accounts.count)
            for account in instruction.accounts {
                guard let index = position[account.publicKey] else {
                    throw SolanaCoreError(
                        .invalidArgument, "instruction \(number)'s account \(account.publicKey) is not among the message's accounts")
                }
                indexes.append(index)
            }
            compiled.append(CompiledInstruction(programIDIndex: program, accounts: indexes, data: instruction.data))
        }
        return compiled
    }
}
