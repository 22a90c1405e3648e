/// `PMD_LOG_LEVEL`. The raw values are swift-log's `Logger.Level` raw values, so
/// `Logger.Level(rawValue: level.rawValue)` maps one onto the other.
enum LogLevel: String, Sendable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

/// `PMD_LOG_FORMAT`: `text` for people, `json` (one object per line) for log collectors.
enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}
