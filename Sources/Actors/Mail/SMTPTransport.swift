import CCurl
import NIOPosix
import Synchronization

/// Hands one message to the relay over SMTP with libcurl. `curl_easy_perform` blocks for the
/// whole conversation, so it runs on this transport's own thread pool, never on an actor's
/// executor or an event loop.
final class SMTPTransport: Sendable {
    enum Outcome: Sendable, Equatable {
        case delivered
        case failed(MailQueue.Failure, reason: String)
    }

    private let relay: SMTPRelay
    private let pool: NIOThreadPool
    /// Set at shutdown: a delivery in progress aborts at curl's next progress callback instead
    /// of holding shutdown up until its timeout.
    private let aborting = AbortFlag()

    /// libcurl's global state, set up once per process before the first handle.
    private static let globalInit: Bool = pmd_curl_global_init() == CURLE_OK

    init(relay: SMTPRelay) {
        self.relay = relay
        // One message at a time: reset and invitation mail is light, and one connection keeps
        // a struggling relay from being hammered.
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    /// Makes a delivery in progress give up (graceful shutdown); later ones fail at once.
    func abort() {
        aborting.value.store(true, ordering: .releasing)
    }

    func shutdown() async {
        abort()
        try? await pool.shutdownGracefully()
    }

    func deliver(from sender: String, to recipient: String, message: [UInt8]) async -> Outcome {
        let relay = self.relay
        let aborting = self.aborting
        do {
            return try await pool.runIfActive {
                Self.perform(relay: relay, from: sender, to: recipient, message: message, aborting: aborting)
            }
        } catch {
            return .failed(.relay, reason: "mail thread pool stopped")
        }
    }

    // MARK: - The blocking part (thread pool only)

    private static func perform(relay: SMTPRelay, from sender: String, to recipient: String, message: [UInt8], aborting: AbortFlag) -> Outcome {
        guard globalInit, let handle = curl_easy_init() else {
            return .failed(.relay, reason: "libcurl could not be initialised")
        }
        defer { curl_easy_cleanup(handle) }
        let recipients: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "<\(recipient)>")
        defer { curl_slist_free_all(recipients) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        let body = MessageReader(message)
        let bodyPointer = Unmanaged.passRetained(body)
        defer { bodyPointer.release() }
        let abortPointer = Unmanaged.passUnretained(aborting)

        var setup = CURLE_OK
        func set(_ code: CURLcode) { if setup == CURLE_OK { setup = code } }
        set(pmd_curl_setopt_string(handle, CURLOPT_URL, relay.url))
        set(pmd_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"))
        set(pmd_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(pmd_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(relay.connectTimeout)))
        set(pmd_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(relay.timeout)))
        set(pmd_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        switch relay.encryption {
        case .implicitTLS:
            break
        case .requireSTARTTLS:
            // libcurl gives up right after EHLO when STARTTLS is not offered, before AUTH or MAIL.
            set(pmd_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)))
        case .opportunistic:
            set(pmd_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_TRY.rawValue)))
        }
        if let user = relay.user { set(pmd_curl_setopt_string(handle, CURLOPT_USERNAME, user)) }
        if let password = relay.password { set(pmd_curl_setopt_string(handle, CURLOPT_PASSWORD, password)) }
        set(pmd_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(sender)>"))
        set(pmd_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients))
        set(pmd_curl_setopt_long(handle, CURLOPT_UPLOAD, 1))
        set(pmd_curl_setopt_long(handle, CURLOPT_INFILESIZE, message.count))
        set(pmd_curl_setopt_read_function(handle, readMessage))
        set(pmd_curl_setopt_pointer(handle, CURLOPT_READDATA, bodyPointer.toOpaque()))
        set(pmd_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        set(pmd_curl_setopt_xferinfo_function(handle, checkAbort))
        set(pmd_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, abortPointer.toOpaque()))
        guard setup == CURLE_OK else {
            return .failed(.relay, reason: "libcurl option rejected: \(String(cString: curl_easy_strerror(setup)))")
        }

        let result = curl_easy_perform(handle)
        if result == CURLE_OK { return .delivered }
        var response = 0
        _ = pmd_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &response)
        let detail = errorBuffer.pointee == 0 ? String(cString: curl_easy_strerror(result)) : String(cString: errorBuffer)
        let reason = response == 0 ? detail : "\(detail) (last reply \(response))"
        // A 5xx that is not about logging in rejects this message; anything else (no answer,
        // TLS, 4xx "try later", refused credentials) is the relay's state, shared by all mail.
        let permanent = (500..<600).contains(response) && result != CURLE_LOGIN_DENIED
        return .failed(permanent ? .message : .relay, reason: reason)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// The message bytes and how far curl has read them.
private final class MessageReader {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// A flag the transport sets at shutdown and curl's progress callback reads.
private final class AbortFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// CURLOPT_READFUNCTION: copies the next slice of the message into curl's buffer.
private let readMessage: curl_read_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let reader = Unmanaged<MessageReader>.fromOpaque(userdata).takeUnretainedValue()
    let room = size * count
    let length = min(room, reader.bytes.count - reader.offset)
    guard length > 0 else { return 0 }
    reader.bytes.withUnsafeBytes { source in
        UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + reader.offset, byteCount: length)
    }
    reader.offset += length
    return length
}

/// CURLOPT_XFERINFOFUNCTION: a non-zero return makes curl abort the transfer.
private let checkAbort: curl_xferinfo_callback = { userdata, _, _, _, _ in
    guard let userdata else { return 0 }
    return Unmanaged<AbortFlag>.fromOpaque(userdata).takeUnretainedValue().value.load(ordering: .acquiring) ? 1 : 0
}
