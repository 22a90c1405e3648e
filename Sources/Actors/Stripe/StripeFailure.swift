/// Why a Stripe call failed, after any retries.
public enum StripeFailure: Error, Sendable, Equatable {
    /// No answer from Stripe (network, DNS, timeout).
    case unreachable(String)
    /// Stripe kept failing on its side (5xx), kept throttling (429) or kept reporting a
    /// concurrent request with the same idempotency key (409).
    case serverError(status: Int, message: String)
    /// Stripe refused the API key (401/403): pmd's configuration, not the caller, is wrong.
    case authentication(String)
    /// Stripe refused the request itself (400, 402, 404): its error object's message.
    case rejected(status: Int, message: String)
    /// An answer pmd cannot read.
    case malformedResponse(String)

    /// The answer a client gets (SPEC §4): Stripe's refusal of what was asked is a 400 with
    /// Stripe's own words; anything that is Stripe's or pmd's configuration's fault is a 503.
    public var domainError: DomainError {
        switch self {
        case let .rejected(_, message): .badRequest("Stripe rejected the request: \(message)")
        case .unreachable, .serverError, .authentication, .malformedResponse: .stripeUnavailable
        }
    }

    /// Whether this failure says Stripe (or the way pmd reaches it) is broken, which is what
    /// `system.health` reports; a refused request says Stripe works.
    public var meansFailing: Bool {
        if case .rejected = self { return false }
        return true
    }

    public var isNotFound: Bool {
        if case .rejected(404, _) = self { return true }
        return false
    }
}
