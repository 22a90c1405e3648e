/// The Stripe price ids of the built-in plan catalog (SPEC §6.5), one per plan and
/// billing period. The defaults are placeholders: checkout against real Stripe needs the
/// account's own ids.
struct StripePriceIDs: Sendable, Equatable {
    var starterMonthly: String
    var starterYearly: String
    var professionalMonthly: String
    var professionalYearly: String
    var enterpriseMonthly: String
    var enterpriseYearly: String
}
