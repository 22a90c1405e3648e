/// Checks params against a method's declaration and reports every problem at once: unknown
/// names (a typo must not be silently ignored), missing required ones, wrong types, broken rules.
enum ParamValidator {
    static func problems(_ params: JSONObject, against spec: MethodSpec) -> [(path: [String], message: String)] {
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
}
