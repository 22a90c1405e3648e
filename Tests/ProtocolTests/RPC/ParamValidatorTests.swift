import Testing
@testable import Protocol

@Suite struct ParamValidatorTests {
    let spec = MethodSpec(
        "users.update", summary: "", access: .session,
        params: [
            ParamSpec("name", .string, rule: { $0.stringValue?.isEmpty == true ? "Must not be empty" : nil }),
            ParamSpec("picture", .string, nullable: true),
            ParamSpec("count", .integer),
            ParamSpec("flag", .boolean, required: true),
        ],
        rejected: ["email": "This field cannot be updated"]
    ) { _ throws(RPCError) in RPCResult(.null) }

    func problems(_ params: JSONObject) -> [String: String] {
        Dictionary(uniqueKeysWithValues: ParamValidator.problems(params, against: spec).map { ($0.path.joined(separator: "."), $0.message) })
    }

    @Test func everyFailingFieldIsReportedAtOnce() {
        let found = problems(["name": "", "count": "3", "typo": 1, "email": "x@example.com", "session": "s"])
        #expect(found == [
            "name": "Must not be empty", "count": "Expected an integer", "typo": "Unknown parameter",
            "email": "This field cannot be updated", "flag": "Required",
        ])
    }

    @Test func typesNullabilityAndIntegers() {
        #expect(problems(["flag": true, "picture": .null, "count": 3]).isEmpty)
        #expect(problems(["flag": true, "name": .null]) == ["name": "Must not be null"])
        #expect(problems(["flag": true, "count": .number(JSONNumber("2.5")!)]) == ["count": "Expected an integer"])
        #expect(problems(["flag": "yes"]) == ["flag": "Expected a boolean"])
    }

    @Test func sessionIsOnlyAllowedOnProtectedMethods() {
        let open = MethodSpec("system.ping", summary: "") { _ throws(RPCError) in RPCResult(.null) }
        #expect(ParamValidator.problems(["session": "s"], against: open).map(\.path) == [["session"]])
    }
}
