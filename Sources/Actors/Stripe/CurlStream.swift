import CCurl
import Synchronization

/// How a streamed exchange ended.
public enum HTTPStreamEnd: Sendable, Equatable {
    /// The server finished its answer (or closed it cleanly); `status` is the HTTP status.
    case finished(status: Int)
    /// The stream's control was cancelled, or the chunk handler asked to stop.
    case cancelled
    /// No connection, or it broke; curl's reason.
    case failed(reason: String)
}

/// Cancels a streamed exchange from any thread, at once: curl is woken from its wait for data
/// rather than noticing at its next once-a-second progress check.
public final class CurlStreamControl: Sendable {
    private struct State {
        var cancelled = false
        /// The multi handle while a transfer runs on it, so `cancel` can wake it.
        var multi: MultiHandle?
    }

    /// `curl_multi_wakeup` is the one call libcurl allows on a multi handle from another thread;
    /// the lock guarantees the handle is not cleaned up meanwhile.
    private struct MultiHandle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    private let state = Mutex(State())

    public init() {}

    /// Ends the current transfer (and makes any later one under this control end at once).
    public func cancel() {
        state.withLock { state in
            state.cancelled = true
            if let multi = state.multi { _ = curl_multi_wakeup(multi.pointer) }
        }
    }

    public var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Registers the running transfer's multi handle; false when already cancelled.
    fileprivate func attach(_ multi: UnsafeMutableRawPointer) -> Bool {
        state.withLock { state in
            guard !state.cancelled else { return false }
            state.multi = MultiHandle(pointer: multi)
            return true
        }
    }

    /// Called before the multi handle is cleaned up, so `cancel` never wakes a freed one.
    fileprivate func detach() {
        state.withLock { $0.multi = nil }
    }
}

extension CurlTransport {
    /// A long-lived exchange (a watch, an event stream): each chunk of the response body is handed
    /// to `onChunk` as it arrives, on the calling thread, until the server ends the answer, the
    /// connection breaks, `control` is cancelled, or `onChunk` returns false.
    ///
    /// Blocks for as long as the stream lasts, so call it on a thread of its own, never on an event
    /// loop or an actor's executor; it does not take a thread from a transport's pool. Only
    /// `request.connectTimeout` applies: the stream has no overall time limit, and TCP keepalive
    /// probes notice a peer that vanished without closing the connection.
    public static func stream(
        _ request: HTTPRequest, control: CurlStreamControl, onChunk: @escaping (UnsafeRawBufferPointer) -> Bool
    ) -> HTTPStreamEnd {
        guard let easy = CurlEasy(request), let multi = curl_multi_init() else {
            return .failed(reason: "libcurl could not be initialised")
        }
        // Only the raw handle is used below: keep its owner (and so the handle) until the end.
        defer { withExtendedLifetime(easy) {} }
        defer { curl_multi_cleanup(multi) }
        let handle = easy.handle
        let sink = StreamSink(control: control, onChunk: onChunk)
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }

        easy.set(pmd_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, 0))
        easy.set(pmd_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        easy.set(pmd_curl_setopt_long(handle, CURLOPT_TCP_KEEPIDLE, 5))
        easy.set(pmd_curl_setopt_long(handle, CURLOPT_TCP_KEEPINTVL, 2))
        easy.set(pmd_curl_setopt_write_function(handle, deliverChunk))
        easy.set(pmd_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer.toOpaque()))
        if let failure = easy.setupFailure { return .failed(reason: failure) }

        guard curl_multi_add_handle(multi, handle) == CURLM_OK else {
            return .failed(reason: "libcurl refused the transfer")
        }
        defer { curl_multi_remove_handle(multi, handle) }
        guard control.attach(multi) else { return .cancelled }
        defer { control.detach() }

        var running: Int32 = 1
        while running > 0 {
            let code = curl_multi_perform(multi, &running)
            guard code == CURLM_OK else { return .failed(reason: String(cString: curl_multi_strerror(code))) }
            if control.isCancelled || sink.stopped { return .cancelled }
            // Returns when data arrives, after a second at most, or at once when `cancel` wakes it.
            if running > 0 { _ = curl_multi_poll(multi, nil, 0, 1000, nil) }
        }
        if control.isCancelled || sink.stopped { return .cancelled }
        var result = CURLE_OK
        var pending: Int32 = 0
        while let message = curl_multi_info_read(multi, &pending) {
            if message.pointee.msg == CURLMSG_DONE { result = message.pointee.data.result }
        }
        return result == CURLE_OK ? .finished(status: easy.responseCode) : .failed(reason: easy.failureReason(result))
    }
}

/// What the write callback needs: where chunks go, and whether to stop taking them.
private final class StreamSink {
    let control: CurlStreamControl
    let onChunk: (UnsafeRawBufferPointer) -> Bool
    /// Set when `onChunk` asked to stop; the transfer then ends as cancelled, not failed.
    var stopped = false

    init(control: CurlStreamControl, onChunk: @escaping (UnsafeRawBufferPointer) -> Bool) {
        self.control = control
        self.onChunk = onChunk
    }
}

/// CURLOPT_WRITEFUNCTION for streams: hands the chunk over at once. Returning less than given
/// aborts the transfer, which is how a cancelled stream stops taking data mid-response.
private let deliverChunk: curl_write_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let sink = Unmanaged<StreamSink>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    guard !sink.control.isCancelled, sink.onChunk(UnsafeRawBufferPointer(start: buffer, count: length)) else {
        sink.stopped = true
        return 0
    }
    return length
}
