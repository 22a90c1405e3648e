/// The `Date:` header form of RFC 5322 §3.3, always in UTC: `Thu, 26 Nov 2026 12:00:00 +0000`.
enum MailDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ time: Timestamp) -> String {
        // Timestamp already knows the civil calendar; its RFC 3339 text is taken apart here
        // rather than repeating the date arithmetic.
        let text = Array(time.description.utf8)  // yyyy-mm-ddThh:mm:ss.mmmZ
        func number(_ range: Range<Int>) -> Int { Int(String(decoding: text[range], as: UTF8.self)) ?? 0 }
        let days = time.unixSeconds >= 0 ? time.unixSeconds / 86_400 : (time.unixSeconds - 86_399) / 86_400
        // 1970-01-01 was a Thursday.
        let weekday = Int(((days % 7) + 7 + 4) % 7)
        let year = String(decoding: text[0..<4], as: UTF8.self)
        let day = String(decoding: text[8..<10], as: UTF8.self)
        let clock = String(decoding: text[11..<19], as: UTF8.self)
        return "\(weekdays[weekday]), \(day) \(months[number(5..<7) - 1]) \(year) \(clock) +0000"
    }
}
