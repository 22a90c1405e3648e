import Actors

/// A webhook body: parsing either yields an event or throws the 400 answer, never crashes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStripeEvent(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do {
        let event = try StripeEvent.parse(Array(UnsafeBufferPointer(start: data, count: size)))
        precondition(!event.id.isEmpty, "an event without an id")
    } catch {
        precondition(error.code == 400, "a malformed event must be a 400, got \(error.code)")
    }
    return 0
}
