/// A JSON object: uniquely keyed members in the order they were parsed or inserted.
///
/// Order is kept so output is stable and reads the way it was built (`jsonrpc`, `id`, `result`).
/// Small objects — every JSON-RPC envelope — are searched linearly, which beats hashing at that
/// size; past ``linearLimit`` members a hash index takes over so that a hostile object with many
/// keys cannot make parsing quadratic.
///
/// Equality ignores member order, as RFC 8259 objects are unordered. Keys compare as Swift
/// strings, i.e. by canonical equivalence.
public struct JSONObject: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: JSON)
    public typealias Index = Int
    public typealias Indices = Range<Int>

    /// Member count above which lookups go through a hash index.
    static let linearLimit = 16

    private var members: [Element]
    /// Key → position in `members`; only built once `members.count > linearLimit`.
    private var positions: [String: Int]?

    /// An empty object.
    public init() {
        members = []
    }

    /// Builds an object from pairs in order; a repeated key replaces the earlier value in place.
    public init(_ pairs: some Sequence<(String, JSON)>) {
        members = []
        for (key, value) in pairs { self[key] = value }
    }

    /// Builds an object keeping the literal's order; a repeated key replaces the earlier value.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(elements)
    }

    /// Makes room for at least `capacity` members.
    public mutating func reserveCapacity(_ capacity: Int) {
        members.reserveCapacity(capacity)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { members.count }
    public subscript(position: Int) -> Element { members[position] }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }

    /// The values in key order.
    public var values: [JSON] { members.map(\.value) }

    /// The value for `key`. Setting a new key appends it; setting an existing key replaces its
    /// value in place; setting `nil` removes the key.
    public subscript(key: String) -> JSON? {
        get {
            guard let position = position(of: key) else { return nil }
            return members[position].value
        }
        set {
            if let newValue {
                if let position = position(of: key) {
                    members[position].value = newValue
                } else {
                    append(key, newValue)
                }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Removes `key` and returns its value, or `nil` if it was absent. Later members keep their order.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let position = position(of: key) else { return nil }
        let removed = members.remove(at: position).value
        positions = nil
        if members.count > Self.linearLimit { buildPositions() }
        return removed
    }

    /// Appends a member unless `key` is already present; returns whether it was added.
    ///
    /// The parser's way in: one lookup both detects duplicate keys and inserts.
    mutating func insertNew(_ key: String, _ value: JSON) -> Bool {
        guard position(of: key) == nil else { return false }
        append(key, value)
        return true
    }

    /// Appends a key known to be absent.
    private mutating func append(_ key: String, _ value: JSON) {
        members.append((key, value))
        if positions != nil {
            positions![key] = members.count - 1
        } else if members.count > Self.linearLimit {
            buildPositions()
        }
    }

    private mutating func buildPositions() {
        var index = [String: Int](minimumCapacity: members.count)
        for (position, member) in members.enumerated() { index[member.key] = position }
        positions = index
    }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        return members.firstIndex { $0.key == key }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs.members where rhs[key] != value { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Sum per-member hashes so the result does not depend on member order, matching `==`.
        var sum = 0
        for (key, value) in members {
            var memberHasher = Hasher()
            memberHasher.combine(key)
            memberHasher.combine(value)
            sum &+= memberHasher.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(sum)
    }
}

extension JSONObject: CustomStringConvertible {
    /// The compact serialisation.
    public var description: String { JSON.object(self).compactString }
}
