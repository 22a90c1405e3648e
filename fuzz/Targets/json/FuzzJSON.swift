@testable import Protocol

/// Any bytes: the parser either rejects them with an offset inside the input, or returns a value
/// whose compact and pretty serialisations parse back to the same value (and the compact one to
/// the same bytes).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let value: JSON
    do {
        value = try JSON.parse(input)
    } catch {
        precondition(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside the input")
        return 0
    }
    let compact = value.serialized
    guard let reparsed = try? JSON.parse(compact) else { preconditionFailure("serialised value does not parse") }
    precondition(reparsed == value, "serialised value parses to another value")
    precondition(reparsed.serialized == compact, "serialisation is not stable")
    precondition((try? JSON.parse(value.prettyString())) == value, "pretty form parses to another value")
    return 0
}
