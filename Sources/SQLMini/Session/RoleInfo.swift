// RoleInfo: what authentication needs to know about a role (pg_authid's login-related columns).

public struct RoleInfo: Sendable, Equatable {
    public var name: String
    public var oid: UInt32
    /// rolpassword: a SCRAM-SHA-256 verifier (`SCRAM-SHA-256$4096:salt$StoredKey:ServerKey`) or an
    /// md5 hash (`md5…`); nil when the role has no password.
    public var passwordVerifier: String?
    public var canLogin: Bool
    public var superuser: Bool
    public var replication: Bool

    public init(name: String, oid: UInt32, passwordVerifier: String?, canLogin: Bool, superuser: Bool,
                replication: Bool) {
        self.name = name
        self.oid = oid
        self.passwordVerifier = passwordVerifier
        self.canLogin = canLogin
        self.superuser = superuser
        self.replication = replication
    }
}
