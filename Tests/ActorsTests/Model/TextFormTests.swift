import Foundation
import Testing
@testable import Actors

/// The hand-written text forms on the `users.me` hot path against Foundation's.
@Suite struct TextFormTests {
    @Test func timestampsMatchFoundationsRFC3339() {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        iso.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        // Fixed edges (epoch, leap days, end of a year, far future) and random instants.
        var samples: [Int64] = [0, 999, 1000, 951_782_400_000, 951_868_799_999, 1_709_164_800_123, 4_102_444_799_999, 7_258_118_400_000]
        for _ in 0..<2000 { samples.append(Int64.random(in: 0...7_258_118_400_000, using: &generator)) }
        for millis in samples {
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            #expect(Timestamp(milliseconds: millis).description == iso.string(from: date), "\(millis)")
        }
    }

    @Test func writesAppendToWhatIsAlreadyThere() {
        var out = Array("x:".utf8)
        Timestamp(milliseconds: 1_764_158_400_007).write(into: &out)
        ID(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210).write(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x:2025-11-26T12:00:00.007Z01234567-89ab-cdef-fedc-ba9876543210")
    }

    @Test func idsMatchFoundationsUUIDText() {
        for _ in 0..<1000 {
            let uuid = UUID()
            let text = uuid.uuidString.lowercased()
            let id = ID(text)
            var out: [UInt8] = []
            id?.write(into: &out)
            #expect(String(decoding: out, as: UTF8.self) == text)
            #expect(id?.description == text)
        }
    }
}
