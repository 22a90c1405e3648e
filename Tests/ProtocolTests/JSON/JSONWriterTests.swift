import Testing
@testable import Protocol

@Suite struct JSONWriterTests {
    @Test func writesTheSameBytesAsTheTreeSerialiser() throws {
        var w = JSONWriter()
        w.object { w in
            w.field("id", string: "a\"b")
            w.field("name", string: nil)
            w.field("ok", bool: true)
            w.field("n", int: -42)
            w.field("nested") { w in
                w.object { w in
                    w.field("tz", string: "Europe/Paris")
                    w.field("list", json: [1, "x"])
                }
            }
            w.field("after", bool: false)
        }
        let tree: JSON = [
            "id": "a\"b", "name": nil, "ok": true, "n": -42,
            "nested": ["tz": "Europe/Paris", "list": [1, "x"]], "after": false,
        ]
        #expect(w.bytes == tree.serialized)
        #expect(try JSON.parse(w.bytes) == tree)
    }

    @Test func anEmptyObject() {
        var w = JSONWriter()
        w.object { _ in }
        #expect(String(decoding: w.bytes, as: UTF8.self) == "{}")
    }
}
