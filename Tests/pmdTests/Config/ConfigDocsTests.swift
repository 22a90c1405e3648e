import Foundation
import Testing

@testable import pmd

@Suite struct ConfigDocsTests {
    @Test func envExampleMentionsEveryVariableCommentedOutWithItsDefault() {
        let text = Config.envExample()
        for setting in Config.settings {
            let value = setting.defaultText ?? ""
            let quoted = value.contains(" ") ? "\"\(value)\"" : value
            #expect(text.contains("\n# \(setting.name)=\(quoted)\n"), "\(setting.name)")
            #expect(text.contains("(\(setting.flag))"), "\(setting.flag)")
        }
        let active = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(active.isEmpty, "every line is a comment or blank")
    }

    @Test func markdownTableHasOneRowPerVariable() {
        let rows = Config.markdownTable().split(separator: "\n")
        #expect(rows.count == Config.settings.count + 2)
        #expect(rows.contains("| `PMD_DATA_DIR` | `--data-dir` | `./pmd-data` | LMDB environment directory |"))
        #expect(rows.contains { $0.hasPrefix("| `PMD_RPC_KEY` | `--rpc-key` | unset |") })
    }

    @Test func flagHelpListsEveryFlag() {
        let help = Config.flagHelp()
        for setting in Config.settings {
            #expect(help.contains("  \(setting.flag) <value> "))
        }
    }

    /// The committed `.env.example` is generated; this keeps it from drifting. To refresh
    /// it, run the tests with `UPDATE_ENV_EXAMPLE=1`.
    @Test func committedEnvExampleIsUpToDate() throws {
        let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let file = root.appendingPathComponent(".env.example")
        let expected = Config.envExample()
        if ProcessInfo.processInfo.environment["UPDATE_ENV_EXAMPLE"] == "1" {
            try Data(expected.utf8).write(to: file)
        }
        let committed = try String(contentsOf: file, encoding: .utf8)
        #expect(committed == expected, "regenerate with UPDATE_ENV_EXAMPLE=1 swift test")
    }
}
