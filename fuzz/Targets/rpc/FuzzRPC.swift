@testable import Protocol

/// One request line: decoding never crashes, and when the member-by-member reader (the fast
/// path) accepts the line, the general path accepts it too, as the same request.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRPC(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let line = UnsafeRawBufferPointer(start: data, count: size)
    _ = RPCDecoder.decode(line)
    guard let quick = JSON.parseRequestMembers(line).flatMap(RPCDecoder.request) else { return 0 }
    guard case let .single(.request(general)) = RPCDecoder.decodeTree(line) else {
        preconditionFailure("the member reader accepted a line the general path does not")
    }
    precondition(quick.id == general.id && quick.method == general.method && quick.params == general.params, "the two paths disagree")
    return 0
}
