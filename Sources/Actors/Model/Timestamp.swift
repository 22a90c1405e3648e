/// A point in time as milliseconds since the Unix epoch, printed as RFC 3339 UTC with
/// milliseconds (`2026-11-26T12:00:00.000Z`, SPEC §4).
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(milliseconds: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(milliseconds: milliseconds + seconds * 1000) }

    public var unixSeconds: Int64 { milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000 }

    /// RFC 3339 in UTC, computed with the days-to-civil algorithm (no formatter, no locale).
    public var description: String {
        String(unsafeUninitializedCapacity: 24) { buffer in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(24)
            write(into: &bytes)
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
            return bytes.count
        }
    }

    /// Appends the RFC 3339 text (`2026-11-26T12:00:00.000Z`, ASCII) without building a String:
    /// every `users.me` answer carries two of these.
    public func write(into out: inout [UInt8]) {
        withText { out.append(contentsOf: $0) }
    }

    /// "00", "01", … "99", for `withText`.
    static let digitPairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// Calls `body` with the 24 ASCII characters of the ISO 8601 form, filled on the stack, so a
    /// writer appends them once. Not generic on purpose (see `ID.withText`).
    public func withText(_ body: (UnsafeRawBufferPointer) -> Void) {
        let seconds = unixSeconds
        let millis = Int(milliseconds - seconds * 1000)
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        var storage: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &storage) { text in
            // Two digits at a time from a table: per-digit divisions cost as much as the date
            // arithmetic, and every `users.me` answer carries two of these.
            func put2(_ value: Int, at index: Int) {
                let pair = Timestamp.digitPairs.utf8Start + 2 * (value % 100)
                text[index] = pair[0]
                text[index + 1] = pair[1]
            }
            func put(_ value: Int, width: Int, at end: Int) {
                let value = max(0, value)
                switch width {
                case 4:
                    put2(value / 100, at: end - 4)
                    put2(value, at: end - 2)
                case 3:
                    text[end - 3] = UInt8(ascii: "0") + UInt8(value / 100 % 10)
                    put2(value, at: end - 2)
                default:
                    put2(value, at: end - 2)
                }
            }
            put(year, width: 4, at: 4)
            text[4] = UInt8(ascii: "-")
            put(month, width: 2, at: 7)
            text[7] = UInt8(ascii: "-")
            put(day, width: 2, at: 10)
            text[10] = UInt8(ascii: "T")
            put(secondOfDay / 3600, width: 2, at: 13)
            text[13] = UInt8(ascii: ":")
            put(secondOfDay / 60 % 60, width: 2, at: 16)
            text[16] = UInt8(ascii: ":")
            put(secondOfDay % 60, width: 2, at: 19)
            text[19] = UInt8(ascii: ".")
            put(millis, width: 3, at: 23)
            text[23] = UInt8(ascii: "Z")
            body(UnsafeRawBufferPointer(text))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
