/// A batch being answered element by element (JSON-RPC 2.0 §6): which request runs next and how
/// its answer is framed in the reply line. Notifications run but are not answered; a batch with
/// no answered element gets no line at all, otherwise the line ends with `PendingReply.batchEnd`.
struct BatchCursor: Sendable {
    private let envelopes: [RPCEnvelope]
    private var next = 0
    private var answered = 0

    init(_ envelopes: [RPCEnvelope]) { self.envelopes = envelopes }

    /// The next element to run and the framing of its answer; nil once every element has run.
    mutating func advance() -> (envelope: RPCEnvelope, framing: PendingReply.Framing)? {
        guard next < envelopes.count else { return nil }
        let envelope = envelopes[next]
        next += 1
        let framing = PendingReply.Framing.element(first: answered == 0)
        if envelope.isAnswered { answered += 1 }
        return (envelope, framing)
    }

    /// Whether the line needs its closing `]`: true once any element was answered.
    var needsEnd: Bool { answered > 0 }
}

extension RPCEnvelope {
    /// Whether this element gets an answer: a request with an id, or an invalid one.
    var isAnswered: Bool {
        switch self {
        case let .request(request): request.id != nil
        case .invalid: true
        case .ignoredNotification: false
        }
    }
}
