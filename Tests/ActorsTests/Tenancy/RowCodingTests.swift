import Persistence
import Testing
@testable import Actors

/// Every row type survives its binary encoding, so recovery rebuilds exactly what was written.
@Suite struct RowCodingTests {
    let now = Timestamp(milliseconds: 1_764_158_400_123)

    @Test func userRoundTrips() throws {
        var user = User(
            id: .random(), email: "ada@example.com", profile: UserProfile(name: "Ada", givenName: "Ada", familyName: nil, picture: "https://x.example/a.png"),
            preferences: Preferences(theme: .dark, language: "fr", timezone: "Europe/Paris", emailNotifications: false, pushNotifications: true, weeklyReports: true, marketingEmails: false),
            passwordHash: "$scrypt$ln=10,r=8,p=1$abc$def", createdAt: now, updatedAt: now.adding(seconds: 5), lastTenantID: .random())
        user.lsn = 0
        let decoded = try user.encoded().withUnsafeBytes { try User(row: $0) }
        #expect(decoded == user)
    }

    @Test func sessionRoundTrips() throws {
        let session = Session(tokenHash: TokenHash(token: "tok"), userID: .random(), createdAt: now, expiresAt: now.adding(seconds: 60), activeTenantID: .random())
        let key = session.tokenHash.bytes
        let decoded = try key.withUnsafeBytes { k in try session.encoded().withUnsafeBytes { try Session(key: k, row: $0) } }
        #expect(decoded == session)
    }

    @Test func tenancyRowsRoundTrip() throws {
        let tenant = Tenant(id: .random(), name: "Acme", createdAt: now, updatedAt: now)
        #expect(try tenant.id.bytes.withUnsafeBytes { k in try tenant.encoded().withUnsafeBytes { try Tenant(key: k, row: $0) } } == tenant)
        let company = Company(id: .random(), tenantID: tenant.id, name: "Acme Inc.", workspaceName: "acme-inc", logoURL: nil, status: .archived, createdAt: now, updatedAt: now)
        #expect(try company.id.bytes.withUnsafeBytes { k in try company.encoded().withUnsafeBytes { try Company(key: k, row: $0) } } == company)
        let membership = Membership(tenantID: tenant.id, userID: .random(), role: .viewer, joinedAt: now)
        let key = Membership.key(tenant: membership.tenantID, user: membership.userID)
        #expect(try key.withUnsafeBytes { k in try membership.encoded().withUnsafeBytes { try Membership(key: k, row: $0) } } == membership)
        var invitation = Invitation(id: .random(), tenantID: tenant.id, email: "x@example.com", role: .admin, tokenHash: nil, invitedBy: .random(), createdAt: now, expiresAt: now.adding(seconds: 9))
        #expect(try invitation.id.bytes.withUnsafeBytes { k in try invitation.encoded().withUnsafeBytes { try Invitation(key: k, row: $0) } } == invitation)
        invitation.tokenHash = TokenHash(token: "i")
        #expect(try invitation.id.bytes.withUnsafeBytes { k in try invitation.encoded().withUnsafeBytes { try Invitation(key: k, row: $0) } } == invitation)
    }

    @Test func aRowOfAnotherVersionIsReportedNotMisread() {
        var bytes = Tenant(id: .random(), name: "A", createdAt: now, updatedAt: now).encoded()
        bytes[0] = 42
        let key = ID.random().bytes
        #expect(throws: ByteReader.Malformed.self) {
            try key.withUnsafeBytes { k in try bytes.withUnsafeBytes { try Tenant(key: k, row: $0) } }
        }
    }

    @Test func idsAndTimestampsPrintAsTheSpecSays() {
        let id = ID(high: 0x0123_4567_89ab_4def, low: 0x8123_4567_89ab_cdef)
        #expect(id.description == "01234567-89ab-4def-8123-456789abcdef")
        #expect(ID("01234567-89AB-4DEF-8123-456789ABCDEF") == id)
        #expect(ID("01234567-89ab-4def-8123-456789abcde") == nil)
        #expect(ID("01234567x89ab-4def-8123-456789abcdef") == nil)
        #expect(Timestamp(milliseconds: 1_764_158_400_123).description == "2025-11-26T12:00:00.123Z")
        #expect(Timestamp(milliseconds: 0).description == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(milliseconds: 951_782_400_000).description == "2000-02-29T00:00:00.000Z")
    }
}
