/// Which term wrote which part of a log: for each term, the LSN of its first record (as
/// PostgreSQL's timeline history files record where each timeline began). Terms only grow along
/// the log, so a history is a step function from LSN to term.
///
/// One primary writes each term, so two logs whose records at an LSN have the same term agree up
/// to there. `commonPrefix` uses that to find where a rejoining node's log parted from the
/// primary's: everything after it was never acknowledged (SPEC §10) and is discarded.
public struct TermHistory: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var term: UInt64
        public var firstLSN: LSN

        public init(term: UInt64, firstLSN: LSN) {
            self.term = term
            self.firstLSN = firstLSN
        }
    }

    /// Ascending in both term and first LSN.
    public private(set) var entries: [Entry]

    public init(_ entries: [Entry] = []) { self.entries = entries }

    /// The term of the log's newest records (0 for an empty history).
    public var lastTerm: UInt64 { entries.last?.term ?? 0 }

    /// Records that a record of `term` is at `lsn`: a new entry when the term is newer than the
    /// last one. Returns whether the history changed.
    @discardableResult
    public mutating func note(term: UInt64, at lsn: LSN) -> Bool {
        if let last = entries.last, term <= last.term { return false }
        entries.append(Entry(term: term, firstLSN: lsn))
        return true
    }

    /// The term of the record at `lsn` (which must exist in the log this history describes).
    public func term(at lsn: LSN) -> UInt64 {
        entries.last { $0.firstLSN <= lsn }?.term ?? 0
    }

    /// The history of the log cut after `lsn`.
    public func truncated(after lsn: LSN) -> TermHistory {
        TermHistory(entries.filter { $0.firstLSN <= lsn })
    }

    /// The last LSN up to which a log with this history (ending at `lastLSN`) and a log with
    /// `other`'s history (ending at `otherLast`) hold the same records.
    public func commonPrefix(lastLSN: LSN, with other: TermHistory, otherLast: LSN) -> LSN {
        var common: LSN = 0
        for (index, entry) in entries.enumerated() {
            guard entry.firstLSN <= lastLSN else { break }
            // The same term must begin at the same LSN in both: one primary wrote both.
            guard let theirs = other.entries.firstIndex(where: { $0.term == entry.term }),
                other.entries[theirs].firstLSN == entry.firstLSN, entry.firstLSN <= otherLast
            else { break }
            let mineEnd = index + 1 < entries.count ? entries[index + 1].firstLSN - 1 : lastLSN
            let theirsEnd = theirs + 1 < other.entries.count ? other.entries[theirs + 1].firstLSN - 1 : otherLast
            common = min(mineEnd, theirsEnd, lastLSN)
            if mineEnd != theirsEnd { break }
        }
        // Records before the first term's entry (an empty history) are common when both start
        // at the same place; a log that began before terms were kept has term 0 from LSN 1.
        return common
    }

    // MARK: - Storage

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 8 + entries.count * 12)
        writer.writeVarint(UInt64(entries.count))
        for entry in entries {
            writer.writeVarint(entry.term)
            writer.writeVarint(entry.firstLSN)
        }
        return writer.bytes
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(ByteReader.Malformed) -> TermHistory {
        var reader = ByteReader(bytes)
        let count = try reader.readVarintUnsigned()
        var entries: [Entry] = []
        for _ in 0..<count {
            entries.append(Entry(term: try reader.readVarintUnsigned(), firstLSN: try reader.readVarintUnsigned()))
        }
        return TermHistory(entries)
    }
}
