import Testing
@testable import Actors

@Suite("Constant-time comparison")
struct ConstantTimeTests {
    @Test func equalAndUnequal() {
        #expect(ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 4] as [UInt8]))
        #expect(!ConstantTime.equals([0, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    }

    @Test func differentLengthsAreUnequal() {
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2] as [UInt8]))
        #expect(!ConstantTime.equals([UInt8](), [0] as [UInt8]))
        // A prefix must not compare equal.
        let digest = Digest.sha256("x")
        #expect(!ConstantTime.equals(digest, digest.prefix(16)))
    }

    @Test func mixedCollectionTypes() {
        let a = Digest.sha256("token")
        #expect(ConstantTime.equals(a, a[...]))
        #expect(ConstantTime.equals("abc".utf8, [97, 98, 99] as [UInt8]))
    }
}
