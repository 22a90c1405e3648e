/// Finds runs of bytes that a JSON string carries verbatim, eight bytes at a time.
///
/// Strings are most of the bytes in a JSON-RPC message (method names, UUIDs, tokens), so both
/// the parser and the serializer skip their plain parts with word-at-a-time (SWAR) tests instead
/// of branching on every byte.
@usableFromInline
enum JSONPlainRun {
    /// The offset of the first byte at or after `start` that is `"`, `\`, a control character or
    /// non-ASCII — each needs a closer look — or `bytes.count` if there is none.
    @usableFromInline
    static func end(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var offset = start
        while offset + 8 <= bytes.count {
            // Little-endian so the lowest set bit belongs to the earliest byte.
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let special = specialBytes(word)
            if special != 0 { return offset + special.trailingZeroBitCount / 8 }
            offset += 8
        }
        while offset < bytes.count, !isSpecial(bytes[offset]) { offset += 1 }
        return offset
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// A mask with the high bit set in special lanes of `word`. The "has zero byte" and "has byte
    /// less than" tricks can also flag lanes after a real hit (a borrow ripples upward), but the
    /// lowest flagged lane is always exact, and that is the only one used.
    private static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        let quoteLanes = (quotes &- ones) & ~quotes
        let backslashLanes = (backslashes &- ones) & ~backslashes
        let controlLanes = (word &- ones &* 0x20) & ~word
        return (quoteLanes | backslashLanes | controlLanes | word) & highBits
    }
}
