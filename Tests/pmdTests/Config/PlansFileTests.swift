import Actors
import Testing
@testable import pmd

@Suite struct PlansFileTests {
    func parse(_ json: String) -> Result<[PlanDefinition], PlansFile.Problems> { PlansFile.parse(Array(json.utf8)) }

    @Test func aFullPlanIsRead() throws {
        let plans = try parse("""
            {"plans":[{"name":" Team ","priceMonthly":"49.5","priceYearly":null,"stripePriceIdMonthly":"price_t",
              "features":{"domains":3,"support":"email","api":true},"active":false}]}
            """).get()
        #expect(plans == [PlanDefinition(
            name: "Team", priceMonthly: "49.50", priceYearly: nil, stripePriceIDMonthly: "price_t", stripePriceIDYearly: nil,
            features: [.init("domains", .int(3)), .init("support", .string("email")), .init("api", .bool(true))], active: false)])
    }

    @Test func aBareArrayWorksAndOnlyTheNameIsRequired() throws {
        let plans = try parse(#"[{"name":"Solo"}]"#).get()
        #expect(plans.count == 1 && plans[0].active && plans[0].features.isEmpty && plans[0].priceMonthly == nil)
    }

    @Test func everyProblemIsReportedWithItsPath() {
        guard case let .failure(problems) = parse("""
            {"plans":[{"priceMonthly":99,"features":{"x":1.5,"y":[1]},"activ":true},{"name":"Pro","active":"yes"}]}
            """)
        else {
            Issue.record("expected problems")
            return
        }
        #expect(problems.lines == [
            "plans[0].activ: unknown field (expected one of name, priceMonthly, priceYearly, stripePriceIdMonthly, stripePriceIdYearly, features, active)",
            "plans[0].name: required, a string",
            "plans[0].priceMonthly: expected a string or null",
            "plans[0].features.x: expected a whole number (-1 for unlimited), a string or a boolean",
            "plans[0].features.y: expected a whole number (-1 for unlimited), a string or a boolean",
            "plans[1].active: expected true or false",
        ])
    }

    @Test func documentShapeAndCrossPlanRulesAreChecked() {
        #expect(parse("{").map(\.count) != .success(0))
        #expect(parse(#"{"plan":[]}"#) == .failure(PlansFile.Problems([#"expected {"plans": [...]} or an array of plans"#])))
        #expect(parse("[]") == .failure(PlansFile.Problems(["plans: expected at least one plan"])))
        #expect(parse(#"[{"name":"A"},{"name":"a"}]"#) == .failure(PlansFile.Problems([#"plans[1].name: "a" is already the name of plans[0]"#])))
    }

    /// Found by fuzzing (fuzz/README.md): keys and names come from the file, and a line break in
    /// one split a problem over several lines of pmd's error output.
    @Test func aProblemStaysOnOneLineWhateverTheFileSays() {
        guard case let .failure(problems) = parse(#"""
            [{"name":"A\nB","price\nMonthly":"1","features":{"a\u2028b":[],"ok":{}}}, {"name":"C\u0000D"}]
            """#)
        else {
            Issue.record("expected problems")
            return
        }
        #expect(problems.lines == [
            #"plans[0]["price\nMonthly"]: unknown field (expected one of name, priceMonthly, priceYearly, stripePriceIdMonthly, stripePriceIdYearly, features, active)"#,
            "plans[0].name: expected no control characters or line breaks",
            #"plans[0].features["a\u{2028}b"]: expected a whole number (-1 for unlimited), a string or a boolean"#,
            "plans[0].features.ok: expected a whole number (-1 for unlimited), a string or a boolean",
            "plans[1].name: expected no control characters or line breaks",
        ])
    }
}
