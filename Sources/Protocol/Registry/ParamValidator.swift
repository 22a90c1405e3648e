/// Checks params against a method's declaration and reports every problem at once: unknown
/// names (a typo must not be silently ignored), missing required ones, wrong types, broken rules.
enum ParamValidator {
    static func problems(_ params: JSONObject, against spec: MethodSpec) -> [(path: [String], message: String)] {
        if allValid(params, spec) { return spec.check?(params) ?? [] }
        var problems: [(path: [String], message: String)] = []
        let allowsSession = spec.access != .open
        for (key, _) in params where !(allowsSession && key == "session") {
            if !spec.params.contains(where: { $0.name == key }) {
                problems.append(([key], spec.rejected[key] ?? "Unknown parameter"))
            }
        }
        for param in spec.params {
            guard let value = params[param.name] else {
                if param.required { problems.append(([param.name], "Required")) }
                continue
            }
            if let problem = param.typeProblem(value) {
                problems.append(([param.name], problem))
            } else if !value.isNull, let rule = param.rule, let problem = rule(value) {
                problems.append(([param.name], problem))
            }
        }
        if let check = spec.check {
            problems += check(params)
        }
        return problems
    }

    /// Whether every member is a declared param (or the session) with the right type that keeps
    /// its rule, and every required param is there: one lookup per member sent. The full pass
    /// above, which finds and orders every problem, compares each declared param with each
    /// member and copies each declaration — a tenth of a `users.update` request's instructions —
    /// so it only runs when something is wrong.
    private static func allValid(_ params: JSONObject, _ spec: MethodSpec) -> Bool {
        let allowsSession = spec.access != .open
        var required = 0
        for (key, value) in params {
            if allowsSession, key == "session" { continue }
            guard let index = spec.paramIndex[key] else { return false }
            if spec.params[index].typeProblem(value) != nil { return false }
            if !value.isNull, let rule = spec.params[index].rule, rule(value) != nil { return false }
            if spec.params[index].required { required += 1 }
        }
        return required == spec.requiredCount
    }
}
