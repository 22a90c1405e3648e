#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes read from a connection, cut into lines without copying: complete lines are handed out
/// as views into the buffer; a partial line stays for the next read.
final class LineBuffer {
    private var storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0

    init(capacity: Int = 64 * 1024) {
        storage = .allocate(byteCount: capacity, alignment: 1)
    }

    deinit { storage.deallocate() }

    /// Free space at the end (compacting or growing first), for a read straight into the buffer.
    func withFreeSpace<E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> Int) throws(E) -> Int {
        makeRoom(atLeast: 4096)
        let n = try body(UnsafeMutableRawBufferPointer(rebasing: storage[end...]))
        if n > 0 { end += n }
        return n
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        makeRoom(atLeast: bytes.count)
        UnsafeMutableRawBufferPointer(rebasing: storage[end..<end + bytes.count]).copyMemory(from: bytes)
        end += bytes.count
    }

    /// Calls `body` with each complete line (without its `\n`), oldest first, and drops them.
    func drainLines(_ body: (UnsafeRawBufferPointer) -> Void) {
        let base = UnsafeRawPointer(storage.baseAddress!)
        while start < end {
            guard let newline = memchr(base + start, 0x0a, end - start) else { break }
            let lineEnd = UnsafeRawPointer(newline) - base
            body(UnsafeRawBufferPointer(start: base + start, count: lineEnd - start))
            start = lineEnd + 1
        }
        if start == end {
            start = 0
            end = 0
        }
    }

    /// The next complete line as an array, or nil if none is buffered yet.
    func takeLine() -> [UInt8]? {
        var line: [UInt8]?
        let base = UnsafeRawPointer(storage.baseAddress!)
        guard start < end, let newline = memchr(base + start, 0x0a, end - start) else { return nil }
        let lineEnd = UnsafeRawPointer(newline) - base
        line = Array(UnsafeRawBufferPointer(start: base + start, count: lineEnd - start))
        start = lineEnd + 1
        return line
    }

    private func makeRoom(atLeast count: Int) {
        if storage.count - end >= count { return }
        let pending = end - start
        if start > 0 {
            storage.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: pending)
            start = 0
            end = pending
        }
        if storage.count - end < count {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: max(storage.count * 2, pending + count), alignment: 1)
            grown.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: pending)
            storage.deallocate()
            storage = grown
        }
    }
}
