import Crypto

extension PublicKey {
    /// The most seeds a program address may have.
    public static let maxSeeds = 16
    /// The longest a single seed may be, in bytes.
    public static let maxSeedLength = 32
    static let pdaMarker = Array("ProgramDerivedAddress".utf8)

    /// Derives the program address for exactly these seeds: SHA-256(seeds ‖ programID ‖ "ProgramDerivedAddress").
    /// Throws `invalidSeeds` for more than 16 seeds or a seed over 32 bytes, and `onCurve` when the hash is a
    /// valid Ed25519 point (a key someone could hold the private half of).
    public static func createProgramAddress(seeds: [[UInt8]], programID: PublicKey) throws(SolanaCoreError) -> PublicKey {
        try checkSeeds(seeds)
        let candidate = hashProgramAddress(seeds: seeds, bump: nil, programID: programID)
        guard !Ed25519Curve.isOnCurve(candidate) else {
            throw SolanaCoreError(
                .onCurve,
                "the seeds give an address on the Ed25519 curve, which is not a valid program address; use findProgramAddress to search for a bump seed"
            )
        }
        return candidate
    }

    /// Finds the program address and bump seed: the first bump from 255 down to 0 whose address is off the curve.
    public static func findProgramAddress(seeds: [[UInt8]], programID: PublicKey) throws(SolanaCoreError) -> (address: PublicKey, bump: UInt8) {
        guard seeds.count < maxSeeds else {
            throw SolanaCoreError(.invalidSeeds, "findProgramAddress takes at most \(maxSeeds - 1) seeds (the bump is the last), got \(seeds.count)")
        }
        try checkSeeds(seeds)
        var bump = UInt8(255)
        while true {
            let candidate = hashProgramAddress(seeds: seeds, bump: bump, programID: programID)
            if !Ed25519Curve.isOnCurve(candidate) { return (candidate, bump) }
            if bump == 0 { break }
            bump -= 1
        }
        throw SolanaCoreError(.noViableBump, "no bump seed gives a valid program address for these seeds")
    }

    private static func checkSeeds(_ seeds: [[UInt8]]) throws(SolanaCoreError) {
        guard seeds.count <= maxSeeds else {
            throw SolanaCoreError(.invalidSeeds, "a program address takes at most \(maxSeeds) seeds, got \(seeds.count)")
        }
        for (index, seed) in seeds.enumerated() where seed.count > maxSeedLength {
            throw SolanaCoreError(.invalidSeeds, "seed \(index) is \(seed.count) bytes; a seed is at most \(maxSeedLength) bytes")
        }
    }

    private static func hashProgramAddress(seeds: [[UInt8]], bump: UInt8?, programID: PublicKey) -> PublicKey {
        var hasher = SHA256()
        for seed in seeds { hasher.update(data: seed) }
        if let bump { hasher.update(data: [bump]) }
        programID.withBytes { hasher.update(bufferPointer: $0) }
        hasher.update(data: pdaMarker)
        let digest = hasher.finalize()
        var key = PublicKey.zero
        withUnsafeMutableBytes(of: &key) { out in digest.withUnsafeBytes { out.copyMemory(from: $0) } }
        return key
    }
}
