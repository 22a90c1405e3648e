import DequeModule

/// One connection's closed loop, with no socket: keeps `depth` requests in flight, matches each
/// response to the oldest request (pmd answers in order), and records latencies while measuring.
/// Owned by one thread (or event loop) at a time.
struct Driver: Sendable {
    let plan: RequestPlan
    let depth: Int
    private var random: UInt64
    private var nextID: UInt64 = 1
    private var readCursor = 0
    private var writeCursor = 0
    private var inFlight = Deque<(id: UInt64, sentAt: UInt64)>()
    private var stopping = false
    /// Reply lines of the oldest request seen so far (Redis: several per request).
    private var linesSeen = 0
    /// Nanoseconds from write to response, for responses received while measuring.
    private(set) var latencies: [UInt64] = []
    private(set) var errors = 0

    init(plan: RequestPlan, depth: Int, seed: UInt64) {
        self.plan = plan
        self.depth = max(1, depth)
        random = seed | 1
        inFlight.reserveCapacity(self.depth)
    }

    /// Done once the stop phase was seen and every request sent has been answered.
    var isFinished: Bool { stopping && inFlight.isEmpty }

    /// Appends requests to `out` until `depth` are in flight (none once stopping).
    mutating func issue(into out: inout [UInt8], now: UInt64) {
        while !stopping && inFlight.count < depth {
            if plan.raw {
                out.append(contentsOf: nextTemplate())
            } else {
                Wire.append(nextTemplate(), id: nextID, into: &out)
            }
            inFlight.append((nextID, now))
            nextID &+= 1
        }
    }

    /// Takes one response line.
    mutating func receive(_ line: UnsafeRawBufferPointer, now: UInt64, control: RunControl) {
        if line.isEmpty { return }
        let phase = control.phase
        if phase == .stop { stopping = true }
        if plan.raw {
            // Redis: `-ERR…` is an error, `WAIT` answering `:0` means no replica has it, and a
            // `GET` of a missing key (`$-1`, one line) would put the line count out of step.
            let missing = line.count == 3 && line[0] == UInt8(ascii: "$") && line[1] == UInt8(ascii: "-")
            if line.first == UInt8(ascii: "-") || missing
                || (linesSeen == 1 && line.count == 2 && line[0] == UInt8(ascii: ":") && line[1] == UInt8(ascii: "0"))
            {
                errors += 1
                control.recordError("redis: \(String(decoding: line.prefix(200), as: UTF8.self))")
            }
            linesSeen += 1
            guard linesSeen == plan.linesPerRequest else { return }
            linesSeen = 0
        }
        guard let request = inFlight.popFirst() else {
            errors += 1
            control.recordError("response with no request in flight: \(String(decoding: line, as: UTF8.self))")
            return
        }
        let scan = plan.raw ? Wire.Scan(id: request.id, isError: false) : Wire.scan(line)
        if scan.isError || scan.id != request.id {
            errors += 1
            let problem = scan.isError ? "error response" : "response id \(scan.id.map(String.init) ?? "?") for request \(request.id)"
            control.recordError("\(problem): \(String(decoding: line.prefix(400), as: UTF8.self))")
        }
        if phase == .measure { latencies.append(now &- request.sentAt) }
        control.completed.add(1, ordering: .relaxed)
    }

    private mutating func nextTemplate() -> [UInt8] {
        let write: Bool
        switch plan.writePercent {
        case 0: write = false
        case 100: write = true
        default:
            // xorshift64: cheap, and reproducible per connection.
            random ^= random << 13
            random ^= random >> 7
            random ^= random << 17
            write = Int(random % 100) < plan.writePercent
        }
        if write {
            defer { writeCursor = (writeCursor + 1) % plan.writes.count }
            return plan.writes[writeCursor]
        }
        defer { readCursor = (readCursor + 1) % plan.reads.count }
        return plan.reads[readCursor]
    }
}
