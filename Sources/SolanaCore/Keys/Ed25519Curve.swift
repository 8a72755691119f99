/// The Ed25519 curve membership test used by program-derived addresses.
public enum Ed25519Curve {
    /// Whether 32 bytes decompress to a point on the Ed25519 curve, exactly as
    /// curve25519-dalek's `CompressedEdwardsY::decompress().is_some()` decides (the Solana rule):
    /// with y from the low 255 bits, x^2 = (y^2 - 1) / (d y^2 + 1) must have a square root.
    public static func isOnCurve(_ key: PublicKey) -> Bool {
        key.withBytes { isOnCurve(bytes: $0) }
    }

    /// The same test on raw bytes; anything but 32 bytes is not a point.
    public static func isOnCurve(bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == 32 else { return false }
        let y = FieldElement25519(bytes: bytes)
        let y2 = y.squared()
        let u = y2 - .one
        let v = FieldElement25519.edwardsD * y2 + .one
        // u/v is a square exactly when u*v is (v is never zero: -1/d is not a square).
        let chi = (u * v).legendre().canonical()
        return chi == .zero || chi == .one
    }
}
