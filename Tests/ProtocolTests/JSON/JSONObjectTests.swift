import Testing
@testable import Protocol

@Suite struct JSONObjectTests {
    @Test func literalKeepsOrder() {
        let object: JSONObject = ["z": 1, "a": 2, "m": 3]
        #expect(object.keys == ["z", "a", "m"])
        #expect(object.values == [1, 2, 3])
        #expect(object.count == 3)
        #expect(object["a"] == 2)
        #expect(object["b"] == nil)
        #expect(JSON.object(object).compactString == #"{"z":1,"a":2,"m":3}"#)
    }

    @Test func subscriptSetReplacesInPlaceAppendsAndRemoves() {
        var object: JSONObject = ["jsonrpc": "2.0", "id": 1]
        object["result"] = ["ok": true]
        object["id"] = "abc"
        #expect(object.keys == ["jsonrpc", "id", "result"])
        #expect(object["id"] == "abc")
        object["jsonrpc"] = nil
        #expect(object.keys == ["id", "result"])
        #expect(object.removeValue(forKey: "result") == ["ok": true])
        #expect(object.removeValue(forKey: "result") == nil)
        #expect(object.keys == ["id"])
    }

    @Test func initFromPairsLetsLaterDuplicatesReplace() {
        let object = JSONObject([("a", 1), ("b", 2), ("a", 3)])
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
    }

    @Test func iteratesInOrder() {
        let object: JSONObject = ["b": 1, "a": 2]
        #expect(object.map(\.key) == ["b", "a"])
        #expect(object[1].value == 2)
    }

    @Test func equalityAndHashIgnoreOrder() {
        let forward: JSONObject = ["a": 1, "b": [true]]
        let backward: JSONObject = ["b": [true], "a": 1]
        #expect(forward == backward)
        #expect(forward.hashValue == backward.hashValue)
        #expect(Set([JSON.object(forward), .object(backward)]).count == 1)
        #expect(forward != ["a": 1])
        #expect(forward != ["a": 1, "b": [false]])
        #expect(forward != ["a": 1, "c": [true]])
    }

    @Test func largeObjectsStayConsistentThroughEdits() {
        // Crosses the linear-search limit both ways, so the hash index is built, used and rebuilt.
        var object = JSONObject()
        let count = JSONObject.linearLimit * 3
        for key in 0..<count { object["k\(key)"] = .number(JSONNumber(key)) }
        #expect(object.count == count)
        #expect(object["k\(count - 1)"]?.intValue == count - 1)
        object["k5"] = "replaced"
        #expect(object.keys[5] == "k5")
        #expect(object["k5"] == "replaced")
        for key in stride(from: 0, to: count, by: 2) { object["k\(key)"] = nil }
        #expect(object.count == count / 2)
        #expect(object["k4"] == nil)
        #expect(object["k7"]?.intValue == 7)
        #expect(object.keys.first == "k1")
        for key in 0..<count where key % 2 == 1 { object["k\(key)"] = nil }
        #expect(object.isEmpty)
        object["again"] = 1
        #expect(object["again"] == 1)
    }

    @Test func largeParsedObjectsLookUpEveryKey() throws {
        let count = 500
        let input = "{" + (0..<count).map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + "}"
        let object = try #require(try JSON.parse(input).objectValue)
        #expect(object.count == count)
        for key in 0..<count { #expect(object["k\(key)"]?.intValue == key) }
        #expect(object.keys == (0..<count).map { "k\($0)" })
    }

    @Test func jsonConvenienceAccessors() {
        let value: JSON = ["s": "x", "b": false, "n": 2, "a": [nil], "o": [:], "z": nil]
        #expect(value["s"]?.stringValue == "x")
        #expect(value["b"]?.boolValue == false)
        #expect(value["n"]?.intValue == 2)
        #expect(value["n"]?.doubleValue == 2)
        #expect(value["a"]?.arrayValue == [.null])
        #expect(value["o"]?.objectValue?.isEmpty == true)
        #expect(value["z"]?.isNull == true)
        #expect(value["s"]?.intValue == nil)
        #expect(value["s"]?.boolValue == nil)
        #expect(JSON.string("x")["s"] == nil)
        #expect(JSON.array([1])["0"] == nil)
    }
}
