/// The rules a plan catalog must follow, whichever way it was written (built in or
/// `PMD_PLANS_FILE`): pure functions that report every problem, each as one line.
public enum PlanRules {
    /// A price as the catalog writes it: whole units with at most two decimals ("99", "99.5",
    /// "99.00"), normalised to two decimals so `plans.list` always shows "99.00".
    public static func price(_ text: String) throws(RuleViolation) -> String {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        let digits = { (s: Substring) in s.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }
        guard (1...9).contains(whole.count), digits(whole), digits(fraction), fraction.count <= 2,
            parts.count == 1 || !fraction.isEmpty
        else { throw RuleViolation("expected a decimal string such as \"99.00\"") }
        let trimmedWhole = whole.drop { $0 == "0" }
        return (trimmedWhole.isEmpty ? "0" : String(trimmedWhole)) + "." + fraction + String(repeating: "0", count: 2 - fraction.count)
    }

    /// Trimmed, 1 to 100 characters, and like every other name (`RuleText.name`) without control
    /// characters or line breaks: plan names reach the billing pages and pmd's error lines.
    public static func name(_ text: String) throws(RuleViolation) -> String {
        let trimmed = RuleText.trim(text)
        guard (1...100).contains(trimmed.count) else { throw RuleViolation("expected 1 to 100 characters") }
        guard !trimmed.unicodeScalars.contains(where: RuleText.isForbiddenInName) else {
            throw RuleViolation("expected no control characters or line breaks")
        }
        return trimmed
    }

    public static func priceID(_ text: String) throws(RuleViolation) -> String {
        guard !text.isEmpty, text.count <= 255, !text.contains(where: \.isWhitespace) else {
            throw RuleViolation("expected a Stripe price id without whitespace")
        }
        return text
    }

    public static func featureKey(_ text: String) throws(RuleViolation) -> String {
        guard (1...64).contains(text.count) else { throw RuleViolation("feature names have 1 to 64 characters") }
        return text
    }

    /// Rules across plans: names are unique (ignoring case, since plans are upserted by name and
    /// "starter" vs "Starter" is a typo, not a second plan), and a Stripe price belongs to one
    /// plan (webhooks find the plan by price id). Paths are `plans[i].field`.
    public static func crossCheck(_ plans: [PlanDefinition]) -> [String] {
        var problems: [String] = []
        var names: [String: Int] = [:]
        var prices: [String: Int] = [:]
        for (index, plan) in plans.enumerated() {
            let key = plan.name.lowercased()
            if let first = names[key] {
                problems.append("plans[\(index)].name: \"\(plan.name)\" is already the name of plans[\(first)]")
            } else {
                names[key] = index
            }
            let ids = [("stripePriceIdMonthly", plan.stripePriceIDMonthly), ("stripePriceIdYearly", plan.stripePriceIDYearly)]
            for (field, id) in ids {
                guard let id else { continue }
                if let first = prices[id], first != index {
                    problems.append("plans[\(index)].\(field): price \"\(id)\" already belongs to plans[\(first)]")
                } else {
                    prices[id] = index
                }
            }
        }
        if plans.isEmpty { problems.append("plans: expected at least one plan") }
        return problems
    }
}
