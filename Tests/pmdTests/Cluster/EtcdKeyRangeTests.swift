import Testing

@testable import pmd

@Suite struct EtcdKeyRangeTests {
    @Test func prefixEndAddsOneToTheLastByte() {
        #expect(EtcdKeyRange.prefixEnd(Array("/pmd/a/".utf8)) == Array("/pmd/a0".utf8))
        #expect(EtcdKeyRange.prefixEnd([0x61]) == [0x62])
    }

    @Test func prefixEndDropsTrailingFFBytesFirst() {
        #expect(EtcdKeyRange.prefixEnd([0x61, 0xff]) == [0x62])
        #expect(EtcdKeyRange.prefixEnd([0x61, 0xfe, 0xff, 0xff]) == [0x61, 0xff])
    }

    @Test func prefixWithNothingAfterItMeansToTheEndOfTheKeyspace() {
        #expect(EtcdKeyRange.prefixEnd([]) == [0])
        #expect(EtcdKeyRange.prefixEnd([0xff, 0xff]) == [0])
    }
}
