/// The LMDB tables holding pmd's current state, one row per entity, keyed by id.
public enum Tables {
    public static let users = "users"
    public static let sessions = "sessions"
    /// Pending password resets (`PasswordReset`) by user id; an older pmd keyed them by token hash.
    public static let resetTokens = "reset_tokens"
    /// Mail waiting for the relay (`OutboxEntry`: what it is about, never its link), by mail id.
    public static let outbox = "outbox"
    /// Mail counted against the sending limits (`MailSend`), by mail id; pruned after an hour.
    public static let mailQuota = "mail_quota"
    public static let tenants = "tenants"
    public static let companies = "companies"
    /// Keyed by tenant id then user id.
    public static let memberships = "memberships"
    public static let invitations = "invitations"
    /// The plan catalog (`Plan`), by plan id.
    public static let plans = "plans"
    /// A tenant's Stripe customer (`BillingCustomer`), by tenant id.
    public static let billingCustomers = "billing_customers"
    /// Stripe subscriptions (`Subscription`), keyed by tenant id then Stripe subscription id.
    public static let subscriptions = "subscriptions"
    /// Stripe event ids already handled (`ProcessedEvent`), for de-duplication.
    public static let stripeEvents = "stripe_events"

    /// Every domain table, opened at start.
    public static let all = [
        users, sessions, resetTokens, outbox, mailQuota, tenants, companies, memberships, invitations,
        plans, billingCustomers, subscriptions, stripeEvents,
    ]
}
