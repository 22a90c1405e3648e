import Persistence

/// A domain result and the LSN that must be durable before the caller may see it: the write
/// that produced it, or the newest write among the entities it reads (0 = all durable).
public struct Outcome<Value: Sendable>: Sendable {
    public var value: Value
    public var fence: LSN

    public init(_ value: Value, fence: LSN) {
        self.value = value
        self.fence = fence
    }
}
