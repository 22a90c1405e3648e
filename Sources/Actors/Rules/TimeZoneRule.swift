import Foundation

/// `timezone` preference: a real IANA zone identifier, matched exactly (case-sensitive).
///
/// Two sources, because neither alone is right:
/// - `TimeZone.knownTimeZoneIdentifiers` is ICU's list, which omits some current IANA names
///   (it has "Asia/Calcutta" but not "Asia/Kolkata", the name Firefox and tzdata use) and lacks
///   the UTC aliases; so "UTC", "Etc/UTC", "GMT" and "Etc/GMT" are added to it.
/// - `TimeZone(identifier:)` knows those missing names but also accepts non-IANA forms such as
///   "GMT+5", "UTC+1" or "PST". So it is consulted only for identifiers of the IANA
///   `Area/Location` shape (Area one of the tz database's regions or "Etc"), and only when it
///   keeps the identifier as given (ICU rewrites custom offsets, "GMT+5" → "GMT+0500").
public enum TimeZoneRule {
    public static let invalidMessage = "Timezone must be a valid IANA time zone"

    /// Built once, on first use (a `static let` is lazily and thread-safely initialised), since
    /// the list has hundreds of entries and validation runs on every `users.update`.
    static let knownIdentifiers: Set<String> =
        Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC", "Etc/UTC", "GMT", "Etc/GMT"])

    /// The tz database's geographic regions plus "Etc"; legacy backward links ("US/Eastern")
    /// and bare abbreviations ("CET") are deliberately not accepted.
    static let ianaAreas: Set<Substring> = [
        "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
        "Indian", "Pacific", "Etc",
    ]

    /// True when `identifier` is a known IANA zone (or one of the UTC aliases).
    public static func isKnown(_ identifier: String) -> Bool {
        if knownIdentifiers.contains(identifier) { return true }
        guard let slash = identifier.firstIndex(of: "/"), ianaAreas.contains(identifier[..<slash]) else {
            return false
        }
        return TimeZone(identifier: identifier)?.identifier == identifier
    }

    /// Returns `identifier` unchanged when it is a known zone. Not trimmed: it is an identifier,
    /// not prose, and clients send it from a fixed list.
    public static func validate(_ identifier: String) throws(RuleViolation) -> String {
        guard isKnown(identifier) else { throw RuleViolation(invalidMessage) }
        return identifier
    }
}
