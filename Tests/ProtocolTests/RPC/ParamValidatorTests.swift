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

    /// Valid members take a shortcut (one lookup each); what they do not show — a missing
    /// required param, a rule across params — must still be reported.
    @Test func membersThatAreAllValidStillNeedTheRequiredParamsAndTheCrossParamRule() {
        #expect(problems(["name": "Ann", "session": "s"]) == ["flag": "Required"])
        #expect(problems(["name": "Ann", "flag": false, "session": "s"]).isEmpty)
        let checked = MethodSpec(
            "users.update", summary: "", access: .session, params: [ParamSpec("a", .string), ParamSpec("b", .string)],
            check: { $0["a"] == nil && $0["b"] == nil ? [([], "At least one field")] : [] }
        ) { _ throws(RPCError) in RPCResult(.null) }
        #expect(ParamValidator.problems(["session": "s"], against: checked).map(\.message) == ["At least one field"])
        #expect(ParamValidator.problems(["a": "x", "session": "s"], against: checked).isEmpty)
        #expect(ParamValidator.problems(["a": 1, "session": "s"], against: checked).map(\.message) == ["Expected a string"])
    }

    @Test func sessionIsOnlyAllowedOnProtectedMethods() {
        let open = MethodSpec("system.ping", summary: "") { _ throws(RPCError) in RPCResult(.null) }
        #expect(ParamValidator.problems(["session": "s"], against: open).map(\.path) == [["session"]])
    }
}
