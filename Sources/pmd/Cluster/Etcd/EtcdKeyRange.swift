/// etcd selects many keys as the half-open range [key, rangeEnd).
enum EtcdKeyRange {
    /// The range end that selects every key starting with `prefix`, by etcd's rule (its
    /// `clientv3.GetPrefixRangeEnd`): drop trailing 0xff bytes, then add one to the last byte.
    /// When nothing is left (empty prefix, or only 0xff bytes), `[0]` means "to the end of the
    /// keyspace".
    static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }
}
