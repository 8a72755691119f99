public import FlutterbyeIndexer
import Foundation
import SolanaCore

extension IndexerSettings {
    /// Reads the indexer's settings from `environment`, the seeds' variable names included, every problem at once.
    public init(environment: ServiceEnvironment) throws(ConfigurationError) {
        var reader = EnvironmentReader(environment)
        let database = reader.database()
        let endpoints = reader.endpoints()

        var read: [(name: String, address: PublicKey)] = []
        func address(_ names: [String], required: Bool, what: String) -> PublicKey? {
            guard let (name, text) = reader.firstValue(names) else {
                if required { reader.problems.append("\(names.joined(separator: " or ")) is not set: \(what)") }
                return nil
            }
            do {
                let address = try PublicKey(base58: text)
                // The index keeps one role per address: a second role for it would be dropped without a word.
                if let earlier = read.first(where: { $0.address == address }) {
                    reader.problems.append("\(earlier.name) and \(name) are the same address (\(address)): each watched role needs its own")
                }
                read.append((name, address))
                return address
            } catch {
                // A secret key (the account's key instead of its address) is not shown; anything else is, to spot the typo.
                guard !KeypairFileCheck.isKeyText(text) else {
                    reader.problems.append(
                        "\(name) looks like a secret key itself (not shown), not a Solana address: give the account's public address")
                    return nil
                }
                reader.problems.append("\(name) is not a Solana address (base58, 32 bytes): '\(text)'")
                return nil
            }
        }
        let mint = address(["FLBY_TOKEN_MINT"], required: true, what: "the FLBY token mint's address")
        let escrow = address(["MAINNET_ESCROW_WALLET", "ESCROW_WALLET"], required: false, what: "")
        let fee = address(["MAINNET_FEE_WALLET", "FEE_WALLET"], required: false, what: "")
        let program = address(["MAINNET_PROGRAM_ID", "FLUTTERBYE_PROGRAM_ID"], required: false, what: "")

        // The program's Anchor IDL: read and checked now, so that a bad file stops the start with its reason.
        var programIDL: AnchorIDL?
        if let path = reader.value("FLUTTERBYE_PROGRAM_IDL") {
            if program == nil {
                reader.problems.append("FLUTTERBYE_PROGRAM_IDL is set but no program is: set MAINNET_PROGRAM_ID (or FLUTTERBYE_PROGRAM_ID) too")
            }
            do {
                let data = try ConfigurationFile.data(atPath: path)
                do { programIDL = try AnchorIDL(json: data) } catch { reader.problems.append("FLUTTERBYE_PROGRAM_IDL (\(path)): \(error.message)") }
                if let program, let named = programIDL?.programID, named != program {
                    reader.problems.append(
                        "FLUTTERBYE_PROGRAM_IDL (\(path)) is the IDL of program \(named.base58), not of the configured program \(program.base58): give the IDL of the program the indexer follows"
                    )
                }
            } catch {
                reader.problems.append("FLUTTERBYE_PROGRAM_IDL: cannot read: \(error)")
            }
        }

        var start = IndexStart.beginning
        switch (reader.value("FLUTTERBYE_INDEX_START_SLOT"), reader.value("FLUTTERBYE_INDEX_START_SIGNATURE")) {
        case (.some, .some):
            reader.problems.append("set only one of FLUTTERBYE_INDEX_START_SLOT and FLUTTERBYE_INDEX_START_SIGNATURE")
        case (.some(let text), nil):
            if let slot = UInt64(text) {
                start = .slot(slot)
            } else {
                reader.problems.append("FLUTTERBYE_INDEX_START_SLOT must be a slot number, not '\(text)'")
            }
        case (nil, .some(let text)):
            if let signature = try? Signature(base58: text) {
                start = .signature(signature)
            } else {
                reader.problems.append("FLUTTERBYE_INDEX_START_SIGNATURE is not a transaction signature (base58, 64 bytes): '\(text)'")
            }
        case (nil, nil):
            break
        }

        let pubSub = reader.pubSub(endpoints)
        let sweep = reader.integer("FLUTTERBYE_INDEX_SWEEP_SECONDS", default: 120, range: 1...86_400)
        let busy = reader.integer("FLUTTERBYE_INDEX_POLL_MILLISECONDS", default: 1_000, range: 10...600_000)
        let quiet = reader.integer("FLUTTERBYE_INDEX_QUIET_POLL_SECONDS", default: 30, range: 1...86_400)
        // Quiet addresses and sweeps are never polled faster than busy addresses: a value below the poll interval
        // would be raised to it, so it is refused rather than used otherwise than given.
        for (name, seconds) in [("FLUTTERBYE_INDEX_QUIET_POLL_SECONDS", quiet), ("FLUTTERBYE_INDEX_SWEEP_SECONDS", sweep)]
        where reader.value(name) != nil && seconds * 1_000 < busy {
            reader.problems.append(
                "\(name) (\(seconds) s) is below FLUTTERBYE_INDEX_POLL_MILLISECONDS (\(busy) ms), the busy addresses' interval: raise it to \((busy + 999) / 1_000) or more, or lower the poll interval"
            )
        }
        let discovery = reader.integer("FLUTTERBYE_INDEX_DISCOVERY_SECONDS", default: 60, range: 1...86_400)
        let settle = reader.integer("FLUTTERBYE_INDEX_SETTLE_SECONDS", default: 10, range: 1...86_400)
        let dropAfter = reader.integer("FLUTTERBYE_INDEX_DROP_AFTER_SLOTS", default: 150, range: 1...1_000_000)
        let held = reader.integer("FLUTTERBYE_INDEX_SIGNATURES_HELD", default: 100_000, range: 3_000...10_000_000)
        let logLevel = reader.logLevel()

        guard reader.problems.isEmpty, let database, let mint else { throw ConfigurationError(problems: reader.problems) }
        self.init(
            database: database, endpoints: endpoints,
            watched: WatchedAddresses(flbyMint: mint, escrowWallet: escrow, feeWallet: fee, programID: program), start: start,
            options: .init(
                polling: PollingSettings(
                    busyInterval: .milliseconds(busy), quietInterval: .seconds(quiet), sweepInterval: .seconds(sweep), signaturesHeld: held),
                discoveryInterval: .seconds(discovery), settleInterval: .seconds(settle), dropAfterSlots: UInt64(dropAfter)),
            logLevel: logLevel, programIDL: programIDL, pubSub: pubSub)
    }
}
