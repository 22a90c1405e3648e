import Foundation

/// A fresh directory under the system temp folder, removed when the test's scope ends.
final class TempDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "pmd-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
