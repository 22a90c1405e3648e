import Testing

@testable import pmd

@Suite struct HTTPBaseURLTests {
    @Test(arguments: [
        ("http://localhost:3000", "http://localhost:3000"),
        ("https://app.example.com/", "https://app.example.com"),
        ("https://example.com/app//", "https://example.com/app"),
        ("http://127.0.0.1:12111", "http://127.0.0.1:12111"),
    ])
    func acceptsAbsoluteHTTPURLsAndDropsTrailingSlashes(text: String, base: String) {
        #expect(HTTPBaseURL.parse(text) == .success(base))
    }

    @Test(arguments: [
        "localhost:3000", "ftp://example.com", "https://", "/relative", "https://example.com/?a=1",
        "https://example.com/#top", "https://user:pass@example.com", "http://exa mple.com",
    ])
    func rejectsOtherURLs(text: String) {
        #expect(HTTPBaseURL.parse(text) == .failure(ParseFailure(expected: HTTPBaseURL.syntax)))
    }
}
