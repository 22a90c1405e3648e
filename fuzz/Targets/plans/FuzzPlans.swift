import Actors

/// A `PMD_PLANS_FILE`: parsing yields plans that keep the catalog's rules, or problems, each on
/// a line of its own; never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlans(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    switch PlansFile.parse(Array(UnsafeBufferPointer(start: data, count: size))) {
    case let .success(plans):
        precondition(PlanRules.crossCheck(plans).isEmpty, "accepted plans break the catalog's rules")
        for plan in plans {
            precondition((try? PlanRules.name(plan.name)) == plan.name, "a plan name that is not normalised")
            for price in [plan.priceMonthly, plan.priceYearly].compactMap({ $0 }) {
                precondition((try? PlanRules.price(price)) == price, "a price that is not normalised")
            }
        }
    case let .failure(problems):
        precondition(!problems.lines.isEmpty, "a failure without a problem")
        precondition(problems.lines.allSatisfy { !$0.contains("\n") }, "a problem over several lines")
    }
    return 0
}
