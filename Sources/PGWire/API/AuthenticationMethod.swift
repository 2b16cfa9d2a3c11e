// AuthenticationMethod: how one connection must authenticate, decided by the server from its
// pg_hba rules and the role's stored verifier (BackendFactory.authenticationMethod(for:)).

public enum AuthenticationMethod: Sendable, Equatable {
    /// AuthenticationOk at once.
    case trust
    /// Refuse: the server gives the error through Result.failure instead; kept for pg_hba's `reject`
    /// when the server wants PGWire to report the standard 28000 text itself.
    case reject
    /// MD5 challenge. `storedHash` is "md5" + md5(password + user), or nil (unknown role / no
    /// password): the exchange runs and then fails with 28P01.
    case md5(storedHash: String?)
    /// SCRAM-SHA-256. `verifier` is "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" or nil
    /// (unknown role / no password): the exchange runs with a made-up salt and fails with 28P01.
    case scramSHA256(verifier: String?)
}
