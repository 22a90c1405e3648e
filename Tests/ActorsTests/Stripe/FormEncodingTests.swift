import Testing
@testable import Actors

@Suite struct FormEncodingTests {
    @Test func flatFieldsKeepTheirOrder() {
        #expect(FormEncoding.encode([("mode", "subscription"), ("customer", "cus_123")]) == "mode=subscription&customer=cus_123")
    }

    @Test func nestedObjectsAndArraysUseBrackets() {
        let metadata = FormValue.object([("tenantId", "t1"), ("planId", "p1")])
        let body = FormEncoding.encode([
            ("line_items", .array([.object([("price", "price_1"), ("quantity", "1")])])),
            ("metadata", metadata),
            ("subscription_data", .object([("metadata", metadata)])),
        ])
        #expect(
            body == "line_items[0][price]=price_1&line_items[0][quantity]=1&metadata[tenantId]=t1&metadata[planId]=p1"
                + "&subscription_data[metadata][tenantId]=t1&subscription_data[metadata][planId]=p1")
    }

    @Test func severalArrayElementsAreNumberedInOrder() {
        #expect(FormEncoding.encode([("expand", .array(["a", "b"]))]) == "expand[0]=a&expand[1]=b")
    }

    @Test func everythingButUnreservedCharactersIsPercentEncoded() {
        let url = "http://app.test/subscription/success?session_id={CHECKOUT_SESSION_ID}"
        #expect(
            FormEncoding.encode([("success_url", .string(url))])
                == "success_url=http%3A%2F%2Fapp.test%2Fsubscription%2Fsuccess%3Fsession_id%3D%7BCHECKOUT_SESSION_ID%7D")
        #expect(FormEncoding.escape("a b+c&d=é~_.-") == "a%20b%2Bc%26d%3D%C3%A9~_.-")
        #expect(FormEncoding.encode([("metadata", .object([("a b", "x")]))]) == "metadata[a%20b]=x")
    }

    @Test func emptyCollectionsContributeNothing() {
        #expect(FormEncoding.encode([("metadata", .object([])), ("items", .array([])), ("x", "")]) == "x=")
    }
}
