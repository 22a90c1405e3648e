/// The user-editable profile fields of `users.me` (identity fields such as id, email and the
/// timestamps belong to the user record, not here). Every field is optional because signup
/// only requires email and password.
public struct UserProfile: Sendable, Equatable, Hashable, Codable {
    public var name: String?
    public var givenName: String?
    public var familyName: String?
    /// An absolute http(s) URL (see `PictureRule`), or nil when the user has none.
    public var picture: String?

    /// Creates a profile; all fields default to absent.
    public init(name: String? = nil, givenName: String? = nil, familyName: String? = nil, picture: String? = nil) {
        self.name = name
        self.givenName = givenName
        self.familyName = familyName
        self.picture = picture
    }
}
