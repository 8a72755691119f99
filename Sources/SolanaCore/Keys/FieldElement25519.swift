/// An element of GF(2^255 - 19) in five 51-bit limbs: just enough field arithmetic to tell whether
/// 32 bytes are the compressed form of a point on the Ed25519 curve (the program-derived-address rule).
struct FieldElement25519: Sendable, Equatable {
    var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64, l4: UInt64

    static let mask51: UInt64 = (1 << 51) - 1
    static let zero = FieldElement25519(l0: 0, l1: 0, l2: 0, l3: 0, l4: 0)
    static let one = FieldElement25519(l0: 1, l1: 0, l2: 0, l3: 0, l4: 0)

    init(l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64, l4: UInt64) {
        self.l0 = l0
        self.l1 = l1
        self.l2 = l2
        self.l3 = l3
        self.l4 = l4
    }

    init(_ small: UInt64) { self.init(l0: small, l1: 0, l2: 0, l3: 0, l4: 0) }

    /// Loads 32 little-endian bytes, ignoring the top bit (the sign of x in a compressed point).
    /// A value in [p, 2^255) is accepted and reduced, as curve25519-dalek does.
    init(bytes raw: UnsafeRawBufferPointer) {
        func word(_ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in 0..<8 { value |= UInt64(raw[offset + i]) << (8 * UInt64(i)) }
            return value
        }
        let w0 = word(0)
        let w1 = word(8)
        let w2 = word(16)
        let w3 = word(24)
        let m = Self.mask51
        self.init(
            l0: w0 & m,
            l1: ((w0 >> 51) | (w1 << 13)) & m,
            l2: ((w1 >> 38) | (w2 << 26)) & m,
            l3: ((w2 >> 25) | (w3 << 39)) & m,
            l4: (w3 >> 12) & m
        )
    }

    static func + (a: Self, b: Self) -> Self {
        Self(l0: a.l0 + b.l0, l1: a.l1 + b.l1, l2: a.l2 + b.l2, l3: a.l3 + b.l3, l4: a.l4 + b.l4).carried()
    }

    static func - (a: Self, b: Self) -> Self {
        // Add 16p so that no limb underflows (inputs are carried: limbs < 2^52).
        Self(
            l0: a.l0 + 36_028_797_018_963_664 - b.l0,  // 16 * (2^51 - 19)
            l1: a.l1 + 36_028_797_018_963_952 - b.l1,  // 16 * (2^51 - 1)
            l2: a.l2 + 36_028_797_018_963_952 - b.l2,
            l3: a.l3 + 36_028_797_018_963_952 - b.l3,
            l4: a.l4 + 36_028_797_018_963_952 - b.l4
        ).carried()
    }

    /// A 64x64 -> 128-bit product (one machine multiply, unlike a 128x128 `UInt128` product).
    @inline(__always) private static func wide(_ x: UInt64, _ y: UInt64) -> UInt128 {
        let (high, low) = x.multipliedFullWidth(by: y)
        return UInt128(high) << 64 | UInt128(low)
    }

    static func * (a: Self, b: Self) -> Self {
        let b1 = b.l1 &* 19
        let b2 = b.l2 &* 19
        let b3 = b.l3 &* 19
        let b4 = b.l4 &* 19
        let r0 = wide(a.l0, b.l0) &+ wide(a.l1, b4) &+ wide(a.l2, b3) &+ wide(a.l3, b2) &+ wide(a.l4, b1)
        let r1 = wide(a.l0, b.l1) &+ wide(a.l1, b.l0) &+ wide(a.l2, b4) &+ wide(a.l3, b3) &+ wide(a.l4, b2)
        let r2 = wide(a.l0, b.l2) &+ wide(a.l1, b.l1) &+ wide(a.l2, b.l0) &+ wide(a.l3, b4) &+ wide(a.l4, b3)
        let r3 = wide(a.l0, b.l3) &+ wide(a.l1, b.l2) &+ wide(a.l2, b.l1) &+ wide(a.l3, b.l0) &+ wide(a.l4, b4)
        let r4 = wide(a.l0, b.l4) &+ wide(a.l1, b.l3) &+ wide(a.l2, b.l2) &+ wide(a.l3, b.l1) &+ wide(a.l4, b.l0)
        return reduceWide(r0, r1, r2, r3, r4)
    }

    /// self * self with the symmetric products computed once (15 multiplies instead of 25).
    func squared() -> Self {
        let d0 = l0 &* 2
        let d1 = l1 &* 2
        let d2 = l2 &* 2
        let d3 = l3 &* 2
        let l3x19 = l3 &* 19
        let l4x19 = l4 &* 19
        let r0 = Self.wide(l0, l0) &+ Self.wide(d1, l4x19) &+ Self.wide(d2, l3x19)
        let r1 = Self.wide(d0, l1) &+ Self.wide(d2, l4x19) &+ Self.wide(l3, l3x19)
        let r2 = Self.wide(d0, l2) &+ Self.wide(l1, l1) &+ Self.wide(d3, l4x19)
        let r3 = Self.wide(d0, l3) &+ Self.wide(d1, l2) &+ Self.wide(l4, l4x19)
        let r4 = Self.wide(d0, l4) &+ Self.wide(d1, l3) &+ Self.wide(l2, l2)
        return Self.reduceWide(r0, r1, r2, r3, r4)
    }

    func squared(times n: Int) -> Self {
        var x = self
        for _ in 0..<n { x = x.squared() }
        return x
    }

    private static func reduceWide(_ r0: UInt128, _ r1: UInt128, _ r2: UInt128, _ r3: UInt128, _ r4: UInt128) -> Self {
        // Each r_i < 2^115, so the carries below fit in 64 bits.
        let m = mask51
        var c = UInt64(truncatingIfNeeded: r0 >> 51)
        let t0 = UInt64(truncatingIfNeeded: r0) & m
        let s1 = r1 &+ UInt128(c)
        c = UInt64(truncatingIfNeeded: s1 >> 51)
        let t1 = UInt64(truncatingIfNeeded: s1) & m
        let s2 = r2 &+ UInt128(c)
        c = UInt64(truncatingIfNeeded: s2 >> 51)
        let t2 = UInt64(truncatingIfNeeded: s2) & m
        let s3 = r3 &+ UInt128(c)
        c = UInt64(truncatingIfNeeded: s3 >> 51)
        let t3 = UInt64(truncatingIfNeeded: s3) & m
        let s4 = r4 &+ UInt128(c)
        c = UInt64(truncatingIfNeeded: s4 >> 51)
        let t4 = UInt64(truncatingIfNeeded: s4) & m
        let h0 = t0 &+ c &* 19
        return Self(l0: h0 & m, l1: t1 &+ (h0 >> 51), l2: t2, l3: t3, l4: t4)
    }

    /// Propagates carries so every limb is below 2^51 (limb 1 may exceed it by a few bits).
    private func carried() -> Self {
        let m = Self.mask51
        var r = self
        r.l1 += r.l0 >> 51
        r.l0 &= m
        r.l2 += r.l1 >> 51
        r.l1 &= m
        r.l3 += r.l2 >> 51
        r.l2 &= m
        r.l4 += r.l3 >> 51
        r.l3 &= m
        r.l0 += (r.l4 >> 51) * 19
        r.l4 &= m
        r.l1 += r.l0 >> 51
        r.l0 &= m
        return r
    }

    /// The unique representative in [0, p), limb by limb.
    func canonical() -> Self {
        let m = Self.mask51
        var r = carried()
        // q = 1 exactly when r >= p.
        var q = (r.l0 + 19) >> 51
        q = (r.l1 + q) >> 51
        q = (r.l2 + q) >> 51
        q = (r.l3 + q) >> 51
        q = (r.l4 + q) >> 51
        r.l0 += 19 * q
        r.l1 += r.l0 >> 51
        r.l0 &= m
        r.l2 += r.l1 >> 51
        r.l1 &= m
        r.l3 += r.l2 >> 51
        r.l2 &= m
        r.l4 += r.l3 >> 51
        r.l3 &= m
        r.l4 &= m
        return r
    }

    var isZero: Bool { canonical() == .zero }

    /// self^(2^252 - 3), by the addition chain of ref10's `fe_pow22523`.
    func pow22523() -> Self {
        let z = self
        var t0 = z.squared()  // 2
        var t1 = t0.squared(times: 2)  // 8
        t1 = z * t1  // 9
        t0 = t0 * t1  // 11
        t0 = t0.squared()  // 22
        t0 = t1 * t0  // 31 = 2^5 - 1
        t1 = t0.squared(times: 5)
        t0 = t1 * t0  // 2^10 - 1
        t1 = t0.squared(times: 10)
        t1 = t1 * t0  // 2^20 - 1
        var t2 = t1.squared(times: 20)
        t1 = t2 * t1  // 2^40 - 1
        t1 = t1.squared(times: 10)
        t0 = t1 * t0  // 2^50 - 1
        t1 = t0.squared(times: 50)
        t1 = t1 * t0  // 2^100 - 1
        t2 = t1.squared(times: 100)
        t1 = t2 * t1  // 2^200 - 1
        t1 = t1.squared(times: 50)
        t0 = t1 * t0  // 2^250 - 1
        t0 = t0.squared(times: 2)  // 2^252 - 4
        return t0 * z  // 2^252 - 3
    }

    /// self^((p-1)/2) = self^(2^254 - 10): 1 for a non-zero square, p-1 for a non-square, 0 for zero.
    func legendre() -> Self {
        pow22523().squared(times: 2) * squared()
    }

    /// self^(p-2) = self^(2^255 - 21), the inverse of a non-zero element.
    func inverse() -> Self {
        // (2^252 - 3) * 8 = 2^255 - 24; times self^3 gives 2^255 - 21.
        pow22523().squared(times: 3) * squared() * self
    }

    /// The Edwards curve constant d = -121665 / 121666.
    static let edwardsD: Self = zero - (FieldElement25519(121_665) * FieldElement25519(121_666).inverse())
}
