/// The fixed strings of the domain's errors, in one place so the wording the spec prescribes is
/// written exactly once (clients and tests match on it).
extension DomainError {
    /// Fixed human messages. Those quoted by SPEC §6 are verbatim; the rest are pmd's own wording
    /// for cases the spec leaves open.
    public enum Message {
        // MARK: Verbatim from the spec
        public static let emailAlreadyRegistered = "Email already registered"
        public static let invalidCredentials = "Invalid email or password"
        public static let noTenantContext = "No tenant context found"
        public static let forbidden = "Forbidden"
        public static let companyNotFound = "Company not found"
        public static let invalidResetToken = "Invalid or expired reset token"
        public static let currentPasswordIncorrect = "Current password is incorrect"
        public static let memberNotFound = "User not found or not a member of this tenant"
        public static let cannotRemoveSelf = "You cannot remove yourself from the tenant"
        public static let alreadyMemberOrInvited = "User is already a member or has a pending invitation"
        public static let planNotFound = "Plan not found"
        public static let priceMismatch = "Price ID does not match plan"
        public static let noStripeCustomer = "No Stripe customer found for this tenant"
        public static let billingNotConfigured = "Billing is not configured"

        // MARK: pmd's wording where the spec gives none
        /// Top-level message of every `validation_failed` error; the detail is in `data.errors`.
        public static let validationFailed = "Validation failed"
        /// A missing, unknown or expired session token (deliberately one message for all three).
        public static let invalidSession = "Invalid or expired session"
        public static let tenantNotFound = "Tenant not found"
        public static let invitationNotFound = "Invitation not found"
        public static let mailNotFound = "Mail not found"
        public static let invitationEmailMismatch = "This invitation was sent to a different email address"
        public static let lastOwner = "A tenant must keep at least one owner"
        public static let tooManyLoginAttempts = "Too many failed login attempts; try again later"
        public static let tooManyInvitations = "Too many invitations; try again later"
        public static let storageUnavailable = "Service unavailable: storage failure"
        public static let notEnoughStandbys = "Not enough standbys"
        public static let notPrimary = "Not the primary"
        public static let stripeUnavailable = "Billing provider is unavailable"
        public static let internalError = "Internal error"
        /// `data.errors` message for `users.changePassword` when new equals current (path `newPassword`).
        public static let newPasswordSameAsCurrent = "New password must be different from the current password"
        /// `data.errors` message for a field that exists but may not be changed (`email`, `id`).
        public static let fieldNotUpdatable = "This field cannot be updated"
        /// `data.errors` message for a params key the method does not know (typos must not pass silently).
        public static let unknownField = "Unknown field"
        /// `data.errors` message (path `[]`) for a patch with no fields.
        public static let atLeastOneField = "At least one field must be provided"
    }

    // MARK: Ready-made errors for the fixed cases

    public static let emailAlreadyRegistered = DomainError.conflict(Message.emailAlreadyRegistered)
    public static let invalidCredentials = DomainError.unauthorized(Message.invalidCredentials)
    public static let invalidSession = DomainError.unauthorized(Message.invalidSession)
    public static let noTenantContext = DomainError.badRequest(Message.noTenantContext)
    /// The one 403 for role checks (SPEC §6.4: "Forbidden actions answer 403 \"Forbidden\"").
    public static let forbiddenAction = DomainError.forbidden(Message.forbidden)
    public static let companyNotFound = DomainError.notFound(Message.companyNotFound)
    public static let tenantNotFound = DomainError.notFound(Message.tenantNotFound)
    public static let invitationNotFound = DomainError.notFound(Message.invitationNotFound)
    public static let invitationEmailMismatch = DomainError.forbidden(Message.invitationEmailMismatch)
    public static let mailNotFound = DomainError.notFound(Message.mailNotFound)
    public static let invalidResetToken = DomainError.badRequest(Message.invalidResetToken)
    public static let currentPasswordIncorrect = DomainError.forbidden(Message.currentPasswordIncorrect)
    public static let memberNotFound = DomainError.notFound(Message.memberNotFound)
    public static let cannotRemoveSelf = DomainError.forbidden(Message.cannotRemoveSelf)
    /// Losing the last owner is refused like any other disallowed action: 403.
    public static let lastOwner = DomainError.forbidden(Message.lastOwner)
    public static let alreadyMemberOrInvited = DomainError.conflict(Message.alreadyMemberOrInvited)
    public static let planNotFound = DomainError.notFound(Message.planNotFound)
    public static let priceMismatch = DomainError.badRequest(Message.priceMismatch)
    public static let noStripeCustomer = DomainError.notFound(Message.noStripeCustomer)
    public static let billingNotConfigured = DomainError.unavailable(Message.billingNotConfigured)
    public static let storageUnavailable = DomainError.unavailable(Message.storageUnavailable)
    public static let notEnoughStandbys = DomainError.unavailable(Message.notEnoughStandbys)
    public static let stripeUnavailable = DomainError.unavailable(Message.stripeUnavailable)
    public static let internalError = DomainError.internal(Message.internalError)

    /// 429 for login throttling (SPEC §6.2: 5 failures per email within 15 minutes).
    public static func tooManyLoginAttempts(retryAfter seconds: Int) -> DomainError {
        .rateLimited(retryAfter: max(1, seconds), message: Message.tooManyLoginAttempts)
    }

    /// 429 for invitations over a sending limit (`MailLimits`).
    public static func tooManyInvitations(retryAfter seconds: Int) -> DomainError {
        .rateLimited(retryAfter: max(1, seconds), message: Message.tooManyInvitations)
    }

    /// A validation error with a single issue, for checks made outside a collector.
    public static func invalid(_ path: [String], _ message: String) -> DomainError {
        .validation([FieldIssue(path: path, message: message)])
    }
}
