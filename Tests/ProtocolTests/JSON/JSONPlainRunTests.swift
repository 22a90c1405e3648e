import Testing
@testable import Protocol

@Suite struct JSONPlainRunTests {
    /// The word-at-a-time scan must stop exactly where a byte-by-byte scan would.
    @Test func matchesAByteByByteScan() {
        func isSpecial(_ byte: UInt8) -> Bool { byte < 0x20 || byte >= 0x80 || byte == 0x22 || byte == 0x5C }
        var generator = SeededGenerator(seed: 99)
        // Mostly plain bytes with the occasional special one, next to the lane boundaries that matter.
        let specials: [UInt8] = [0x00, 0x1F, 0x22, 0x5C, 0x80, 0xFF, 0x21, 0x23, 0x5B, 0x5D, 0x20, 0x7F]
        for _ in 0..<3000 {
            let length = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<length).map { _ in
                Int.random(in: 0..<6, using: &generator) == 0
                    ? specials.randomElement(using: &generator)!
                    : UInt8.random(in: 0x20...0x7E, using: &generator)
            }
            let start = Int.random(in: 0...length, using: &generator)
            let expected = bytes[start...].firstIndex(where: isSpecial) ?? length
            let actual = bytes.withUnsafeBytes { JSONPlainRun.end(in: $0, from: start) }
            #expect(actual == expected, "\(bytes) from \(start)")
        }
    }

    @Test func stopsAtEachSpecialByteInEveryLane() {
        for special: UInt8 in [0x00, 0x1F, 0x22, 0x5C, 0x80, 0xC3, 0xFF] {
            for position in 0..<20 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 20)
                bytes[position] = special
                #expect(bytes.withUnsafeBytes { JSONPlainRun.end(in: $0, from: 0) } == position)
            }
        }
    }
}
