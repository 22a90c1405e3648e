import Actors
import Foundation
import Protocol

/// `PMD_PLANS_FILE`: a JSON plan catalog, either `{"plans":[…]}` or the bare array, each plan
///
/// ```json
/// {"name": "Starter", "priceMonthly": "99.00", "priceYearly": null,
///  "stripePriceIdMonthly": "price_…", "stripePriceIdYearly": null,
///  "features": {"domains": 1, "support": "community"}, "active": true}
/// ```
///
/// Only `name` is required. Every problem is reported, one line each, with its path
/// (`plans[1].priceMonthly: …`, `plans[0].features["odd key"]: …`); unknown keys are problems
/// too, so a typo cannot silently drop a price.
enum PlansFile {
    /// Every problem found, one line each.
    struct Problems: Error, Equatable {
        let lines: [String]
        init(_ lines: [String]) { self.lines = lines }
    }

    static let planKeys = ["name", "priceMonthly", "priceYearly", "stripePriceIdMonthly", "stripePriceIdYearly", "features", "active"]

    static func load(path: String) -> Result<[PlanDefinition], Problems> {
        guard let data = FileManager.default.contents(atPath: path) else { return .failure(Problems(["cannot read \(path)"])) }
        return parse(Array(data))
    }

    static func parse(_ bytes: [UInt8]) -> Result<[PlanDefinition], Problems> {
        let document: JSON
        do {
            document = try JSON.parse(bytes)
        } catch {
            return .failure(Problems(["not valid JSON: \(error)"]))
        }
        let list: [JSON]
        switch document {
        case let .array(items): list = items
        case let .object(object) where object.keys == ["plans"]:
            guard let items = object["plans"]?.arrayValue else { return .failure(Problems(["plans: expected an array of plans"])) }
            list = items
        default:
            return .failure(Problems(["expected {\"plans\": [...]} or an array of plans"]))
        }
        var problems: [String] = []
        var plans: [PlanDefinition] = []
        for (index, item) in list.enumerated() {
            if let plan = definition(item, path: "plans[\(index)]", problems: &problems) { plans.append(plan) }
        }
        if problems.isEmpty { problems = PlanRules.crossCheck(plans) }
        return problems.isEmpty ? .success(plans) : .failure(Problems(problems))
    }

    private static func definition(_ value: JSON, path: String, problems: inout [String]) -> PlanDefinition? {
        guard let object = value.objectValue else {
            problems.append("\(path): expected an object")
            return nil
        }
        let before = problems.count
        for key in object.keys where !planKeys.contains(key) {
            problems.append("\(member(path, key)): unknown field (expected one of \(planKeys.joined(separator: ", ")))")
        }
        var name = ""
        if let raw = object["name"]?.stringValue {
            name = checked("\(path).name", raw, PlanRules.name, &problems) ?? ""
        } else {
            problems.append("\(path).name: required, a string")
        }
        let priceMonthly = optionalString(object, "priceMonthly", path, PlanRules.price, &problems)
        let priceYearly = optionalString(object, "priceYearly", path, PlanRules.price, &problems)
        let monthlyID = optionalString(object, "stripePriceIdMonthly", path, PlanRules.priceID, &problems)
        let yearlyID = optionalString(object, "stripePriceIdYearly", path, PlanRules.priceID, &problems)
        var active = true
        switch object["active"] {
        case nil: break
        case let .bool(flag)?: active = flag
        default: problems.append("\(path).active: expected true or false")
        }
        var features: [PlanFeatureEntry] = []
        switch object["features"] {
        case nil, .null?: break
        case let .object(entries)?:
            for (key, value) in entries {
                let at = member("\(path).features", key)
                guard checked(at, key, PlanRules.featureKey, &problems) != nil else { continue }
                switch value {
                case let .bool(flag): features.append(.init(key, .bool(flag)))
                case let .string(text): features.append(.init(key, .string(text)))
                case let .number(number):
                    if let int = number.int {
                        features.append(.init(key, .int(Int64(int))))
                    } else {
                        problems.append("\(at): expected a whole number (-1 for unlimited), a string or a boolean")
                    }
                default: problems.append("\(at): expected a whole number (-1 for unlimited), a string or a boolean")
                }
            }
        default:
            problems.append("\(path).features: expected an object of feature values")
        }
        guard problems.count == before else { return nil }
        return PlanDefinition(
            name: name, priceMonthly: priceMonthly, priceYearly: priceYearly, stripePriceIDMonthly: monthlyID,
            stripePriceIDYearly: yearlyID, features: features, active: active)
    }

    /// `path.key`, or `path["key"]` quoted and escaped when the key is not a plain name: keys
    /// come from the file, and a line break in one must not split a problem over two lines.
    static func member(_ path: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
        }
        return plain ? "\(path).\(key)" : "\(path)[\(ConfigSyntax.quoted(key))]"
    }

    private static func optionalString(
        _ object: JSONObject, _ key: String, _ path: String, _ rule: (String) throws(RuleViolation) -> String,
        _ problems: inout [String]
    ) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case let .string(text)?: return checked("\(path).\(key)", text, rule, &problems)
        default:
            problems.append("\(path).\(key): expected a string or null")
            return nil
        }
    }

    private static func checked(
        _ path: String, _ value: String, _ rule: (String) throws(RuleViolation) -> String, _ problems: inout [String]
    ) -> String? {
        do throws(RuleViolation) {
            return try rule(value)
        } catch {
            problems.append("\(path): \(error.message)")
            return nil
        }
    }
}
