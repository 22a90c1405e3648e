import CCurl

/// A libcurl easy handle set up with what every exchange of an `HTTPRequest` shares: URL,
/// protocols, connect timeout, headers and body. Where the answer goes and how long the whole
/// exchange may last differ between `CurlTransport.send` (one answer) and
/// `CurlTransport.stream` (chunks as they come), so those are set by the caller. The handle, its
/// header list and error buffer live as long as this object.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    private let headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The first option curl rejected, or `CURLE_OK`.
    private var setup = CURLE_OK

    /// libcurl's global state, set up once per process before the first handle.
    private static let globalInit: Bool = pmd_curl_global_init() == CURLE_OK

    init?(_ request: HTTPRequest) {
        guard Self.globalInit, let handle = curl_easy_init() else { return nil }
        self.handle = handle
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        // curl would otherwise add "Expect: 100-continue" to larger POSTs and wait for it.
        headerList = curl_slist_append(headerList, "Expect:")
        self.headerList = headerList
        errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))

        set(pmd_curl_setopt_string(handle, CURLOPT_URL, request.url))
        set(pmd_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(pmd_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(pmd_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)))
        set(pmd_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(pmd_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        if request.method == .post {
            set(pmd_curl_setopt_long(handle, CURLOPT_POST, 1))
            set(pmd_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, request.body.count))
            // COPYPOSTFIELDS: curl keeps its own copy, so the Swift array need not outlive this call.
            if request.body.isEmpty {
                set(pmd_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""))
            } else {
                set(request.body.withUnsafeBufferPointer { bytes in
                    pmd_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress!))
                })
            }
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Records the first option curl rejects; later ones are not worth reporting.
    func set(_ code: CURLcode) {
        if setup == CURLE_OK { setup = code }
    }

    /// Why the handle cannot be used, or `nil` when every option was accepted.
    var setupFailure: String? {
        setup == CURLE_OK ? nil : "libcurl option rejected: \(String(cString: curl_easy_strerror(setup)))"
    }

    /// curl's own words for a failed transfer: the error buffer's detail when it has one.
    func failureReason(_ result: CURLcode) -> String {
        errorBuffer.pointee == 0 ? String(cString: curl_easy_strerror(result)) : String(cString: errorBuffer)
    }

    /// The last response's HTTP status, 0 when none arrived.
    var responseCode: Int {
        var status = 0
        _ = pmd_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return status
    }

    /// Whole milliseconds for curl, at least 1 for any positive duration: curl reads 0 as "no
    /// limit", the opposite of what a sub-millisecond budget means.
    static func milliseconds(_ duration: Duration) -> Int {
        let whole = Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        return duration > .zero ? max(whole, 1) : whole
    }
}
