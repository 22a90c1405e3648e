import Testing
@testable import Actors

@Suite struct PlanCatalogTests {
    let now = Timestamp(milliseconds: 1_800_000_000_000)
    let prices = BuiltInPrices(
        starterMonthly: "p_sm", starterYearly: "p_sy", professionalMonthly: "p_pm", professionalYearly: "p_py",
        enterpriseMonthly: "p_em", enterpriseYearly: "p_ey")

    func plan(_ name: String, monthly: String? = nil, yearly: String? = nil) -> PlanDefinition {
        PlanDefinition(
            name: name, priceMonthly: "1.00", priceYearly: nil, stripePriceIDMonthly: monthly, stripePriceIDYearly: yearly,
            features: [])
    }

    @Test func theBuiltInCatalogIsTheSpecsInOrder() {
        let plans = PlanDefinition.builtIn(prices)
        #expect(plans.map(\.name) == ["Starter", "Professional", "Enterprise"])
        #expect(plans.map(\.priceMonthly) == ["99.00", "299.00", nil])
        #expect(plans[0].features.map(\.key) == ["domains", "sharedIPs", "emailsPerMonth", "support"])
        #expect(plans[1].features.first { $0.key == "emailsPerMonth" }?.value == .int(50_000))
        #expect(plans[2].features.first { $0.key == "domains" }?.value == .int(-1))
        #expect(plans[1].stripePriceIDYearly == "p_py")
        #expect(PlanRules.crossCheck(plans).isEmpty)
    }

    @Test func seedingTwiceChangesNothingAndKeepsIDs() {
        let first = PlanCatalog.upsert(existing: [], definitions: PlanDefinition.builtIn(prices), now: now)
        #expect(first.changed.count == 3)
        let second = PlanCatalog.upsert(existing: first.catalog.plans, definitions: PlanDefinition.builtIn(prices), now: now.adding(seconds: 60))
        #expect(second.changed.isEmpty)
        #expect(second.catalog == first.catalog)
    }

    /// Every node of a cluster makes the catalog before the primary has written it: a new
    /// plan's id comes from its name, not chance.
    @Test func aNewPlansIdIsTheSameOnEveryNode() {
        let here = PlanCatalog.upsert(existing: [], definitions: PlanDefinition.builtIn(prices), now: now)
        let there = PlanCatalog.upsert(existing: [], definitions: PlanDefinition.builtIn(prices), now: now.adding(seconds: 5))
        #expect(here.catalog.plans.map(\.id) == there.catalog.plans.map(\.id))
        #expect(Set(here.catalog.plans.map(\.id)).count == 3)
        #expect(here.catalog.plans[0].id.description.dropFirst(14).first == "8", "a version 8 UUID")
    }

    @Test func plansAreMatchedByNameIgnoringCaseAndRetiredWhenDropped() {
        let first = PlanCatalog.upsert(existing: [], definitions: [plan("Solo", monthly: "p1"), plan("Team", monthly: "p2")], now: now)
        let ids = Dictionary(uniqueKeysWithValues: first.catalog.plans.map { ($0.name, $0.id) })
        let later = now.adding(seconds: 60)
        let second = PlanCatalog.upsert(existing: first.catalog.plans, definitions: [plan("Agency", monthly: "p3"), plan("team", monthly: "p4")], now: later)
        #expect(second.catalog.active.map(\.name) == ["Agency", "team"])
        #expect(second.catalog.active[1].id == ids["Team"] && second.catalog.active[1].updatedAt == later)
        let solo = second.catalog.plan(ids["Solo"]!)
        #expect(solo?.isActive == false)
        #expect(Set(second.changed.map(\.name)) == ["Agency", "team", "Solo"])
        // Retiring is done once: seeding the same catalog again writes nothing.
        #expect(PlanCatalog.upsert(existing: second.catalog.plans, definitions: [plan("Agency", monthly: "p3"), plan("team", monthly: "p4")], now: later).changed.isEmpty)
    }

    @Test func checkoutNeedsAnActivePlanAndOneOfItsPrices() throws {
        let seeded = PlanCatalog.upsert(existing: [], definitions: [plan("Solo", monthly: "p1", yearly: "p1y")], now: now).catalog
        let solo = seeded.active[0]
        #expect(try seeded.checkoutPlan(solo.id.description, priceID: "p1y").id == solo.id)
        #expect(throws: DomainError.priceMismatch) { try seeded.checkoutPlan(solo.id.description, priceID: "p2") }
        #expect(throws: DomainError.planNotFound) { try seeded.checkoutPlan(ID.random().description, priceID: "p1") }
        #expect(throws: DomainError.planNotFound) { try seeded.checkoutPlan("starter", priceID: "p1") }
        let retired = PlanCatalog.upsert(existing: seeded.plans, definitions: [plan("Other")], now: now).catalog
        #expect(throws: DomainError.planNotFound) { try retired.checkoutPlan(solo.id.description, priceID: "p1") }
        #expect(retired.plan(forPrice: "p1")?.id == solo.id)  // old subscriptions still find their plan
    }

    @Test func pricesAreDecimalStringsNormalisedToCents() throws {
        #expect(try PlanRules.price("99") == "99.00")
        #expect(try PlanRules.price("99.5") == "99.50")
        #expect(try PlanRules.price("0099.99") == "99.99")
        #expect(try PlanRules.price("0") == "0.00")
        for bad in ["", "99.", ".5", "9.999", "-1", "1e3", "99,00", " 99", "1234567890"] {
            #expect(throws: RuleViolation.self, "\(bad)") { try PlanRules.price(bad) }
        }
    }

    @Test func namesAndPriceIDsMustBeUniqueAcrossPlans() {
        let problems = PlanRules.crossCheck([plan("Pro", monthly: "p1"), plan("pro", yearly: "p1"), plan("Solo", monthly: "p2", yearly: "p2")])
        #expect(problems == [
            "plans[1].name: \"pro\" is already the name of plans[0]",
            "plans[1].stripePriceIdYearly: price \"p1\" already belongs to plans[0]",
        ])
        #expect(PlanRules.crossCheck([]) == ["plans: expected at least one plan"])
    }
}
