import CCurl
import NIOPosix
import Synchronization

/// HTTP(S) with libcurl. `curl_easy_perform` blocks for the whole exchange, so it runs on this
/// transport's own thread pool, never on an actor's executor or an event loop (as
/// `SMTPTransport` does for mail).
public final class CurlTransport: HTTPTransport {
    private let pool: NIOThreadPool

    /// - Parameter threads: how many requests may be in flight at once; each one holds a thread
    ///   while it waits for Stripe.
    public init(threads: Int = 4) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    public func shutdown() async {
        try? await pool.shutdownGracefully()
    }

    /// Cancelling the calling task aborts the transfer at curl's next progress callback, so a
    /// graceful shutdown is not held up by a Stripe that does not answer.
    public func send(_ request: HTTPRequest) async -> HTTPOutcome {
        let cancelled = CancelFlag()
        return await withTaskCancellationHandler {
            do {
                return try await pool.runIfActive { Self.perform(request, cancelled: cancelled) }
            } catch {
                return .failed(transient: false, reason: "HTTP thread pool stopped")
            }
        } onCancel: {
            cancelled.value.store(true, ordering: .releasing)
        }
    }

    // MARK: - The blocking part (thread pool only)

    private static func perform(_ request: HTTPRequest, cancelled: CancelFlag) -> HTTPOutcome {
        guard let easy = CurlEasy(request) else {
            return .failed(transient: false, reason: "libcurl could not be initialised")
        }
        // Only the raw handle is used below: keep its owner (and so the handle) until the end.
        defer { withExtendedLifetime(easy) {} }
        let handle = easy.handle
        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }
        let cancelPointer = Unmanaged.passUnretained(cancelled)

        easy.set(pmd_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, CurlEasy.milliseconds(request.timeout)))
        easy.set(pmd_curl_setopt_write_function(handle, collectBody))
        easy.set(pmd_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer.toOpaque()))
        easy.set(pmd_curl_setopt_header_function(handle, collectHeader))
        easy.set(pmd_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer.toOpaque()))
        easy.set(pmd_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        easy.set(pmd_curl_setopt_xferinfo_function(handle, abortWhenCancelled))
        easy.set(pmd_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, cancelPointer.toOpaque()))
        if let failure = easy.setupFailure {
            return .failed(transient: false, reason: failure)
        }

        let result = curl_easy_perform(handle)
        guard result == CURLE_OK else {
            return .failed(transient: result != CURLE_ABORTED_BY_CALLBACK && isTransient(result), reason: easy.failureReason(result))
        }
        return .response(status: easy.responseCode, headers: sink.headers, body: sink.body)
    }

    /// Failures a retry cannot cure: the request itself or the peer's identity is wrong.
    private static func isTransient(_ code: CURLcode) -> Bool {
        switch code {
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CERTPROBLEM, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_OUT_OF_MEMORY:
            false
        default:
            true
        }
    }
}

/// The response as curl hands it over, piece by piece.
private final class ResponseSink {
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    /// Stripe answers are small; anything past this is not a Stripe answer and is cut off.
    static let maxBody = 8 << 20
}

/// Set when the task waiting for a transfer is cancelled; read by curl's progress callback.
private final class CancelFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// CURLOPT_XFERINFOFUNCTION: a non-zero return makes curl abort the transfer.
private let abortWhenCancelled: curl_xferinfo_callback = { userdata, _, _, _, _ in
    guard let userdata else { return 0 }
    return Unmanaged<CancelFlag>.fromOpaque(userdata).takeUnretainedValue().value.load(ordering: .acquiring) ? 1 : 0
}

/// CURLOPT_WRITEFUNCTION: appends a chunk of the body. Returning less than given aborts.
private let collectBody: curl_write_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    guard sink.body.count + length <= ResponseSink.maxBody else { return 0 }
    sink.body.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
    return length
}

/// CURLOPT_HEADERFUNCTION: one header line per call (status lines and the blank line too).
/// A redirect or `100 Continue` starts a new header block, so the status line clears it.
private let collectHeader: curl_write_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        sink.headers = [:]
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingWhitespace()
        sink.headers[name] = value
    }
    return length
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\r\n" { s.removeLast() }
        return String(s)
    }
}
