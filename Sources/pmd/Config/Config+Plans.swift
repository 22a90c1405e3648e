import Actors

extension Config {
    /// The Stripe price ids of the built-in catalog, in the Actors module's terms.
    var builtInPrices: BuiltInPrices {
        BuiltInPrices(
            starterMonthly: stripePrices.starterMonthly, starterYearly: stripePrices.starterYearly,
            professionalMonthly: stripePrices.professionalMonthly, professionalYearly: stripePrices.professionalYearly,
            enterpriseMonthly: stripePrices.enterpriseMonthly, enterpriseYearly: stripePrices.enterpriseYearly)
    }

    /// The catalog to upsert: `PMD_PLANS_FILE` when set, else the built-in one. `load` has
    /// already checked the file, so a failure here means it changed since.
    func planDefinitions() -> Result<[PlanDefinition], ConfigErrors> {
        guard let plansFile else { return .success(PlanDefinition.builtIn(builtInPrices)) }
        return PlansFile.load(path: plansFile).mapError { Self.plansProblems($0.lines) }
    }

    static func plansProblems(_ lines: [String]) -> ConfigErrors {
        ConfigErrors(problems: lines.map { ConfigProblem(subject: "PMD_PLANS_FILE", message: $0) })
    }
}
