// The request and response shapes of etcd's v3 JSON gateway (../shared/reference/etcd3-http.md §2–§6),
// kept apart from the HTTP so they can be tested without a network.
//
// The gateway's mapping rules, which every function here follows:
// - keys and values are `bytes`, written as standard base64 ("foo" = "Zm9v");
// - int64/uint64 fields are JSON strings ("revision":"42"); lease IDs exceed 2^53, so they are never
//   parsed through a Double. cluster_id is a uint64 that may not fit an Int64 and is kept as text;
// - fields holding their default value are omitted (EmitDefaults=false): an absent "succeeded" is
//   false, an absent "TTL" is 0, an absent "kvs" is empty, a PUT event has no "type";
// - field names are the proto names (snake_case), except the upper-case `ID` and `TTL` of leases.
import Foundation

enum EtcdJSON {
    // MARK: Bytes

    static func base64(_ text: String) -> JSONValue { .string(Data(text.utf8).base64EncodedString()) }

    static func base64(_ bytes: [UInt8]) -> JSONValue { .string(Data(bytes).base64EncodedString()) }

    /// A base64 field decoded as UTF-8 text (absent = empty, as the gateway omits empty bytes).
    static func text(base64 field: JSONValue?) throws -> String {
        guard let encoded = field?.stringValue else { return "" }
        guard let data = Data(base64Encoded: encoded) else {
            throw DCSError("etcd: malformed base64 in response: \(encoded.prefix(40))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// An int64 field: a string, or a number; absent = 0.
    static func integer(_ field: JSONValue?) -> Int64 { field?.intValue ?? 0 }

    /// The end of the key range that holds exactly the keys starting with `prefix`: the prefix with its
    /// last byte below 0xff incremented and everything after it dropped ("/service/demo/" → "/service/demo0").
    /// An empty prefix, or one of only 0xff bytes, has no upper bound: etcd's "\0" means "to the end".
    static func rangeEnd(ofPrefix prefix: String) -> [UInt8] {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xff {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return [0]
    }

    /// The key field of a prefix request: an empty prefix starts at the smallest key, "\0".
    private static func startKey(ofPrefix prefix: String) -> JSONValue {
        prefix.isEmpty ? base64([0]) : base64(prefix)
    }

    // MARK: Requests

    /// POST /v3/kv/range for one key. Linearizable (no "serializable"): the answer is never stale.
    static func rangeRequest(key: String) -> JSONValue { .object(["key": base64(key)]) }

    /// POST /v3/kv/range for every key under `prefix`.
    static func rangeRequest(prefix: String) -> JSONValue {
        .object(["key": startKey(ofPrefix: prefix), "range_end": base64(rangeEnd(ofPrefix: prefix))])
    }

    /// POST /v3/kv/put.
    static func putRequest(key: String, value: String, lease: LeaseID) -> JSONValue {
        .object(putFields(key: key, value: value, lease: lease))
    }

    /// POST /v3/kv/deleterange for every key under `prefix`.
    static func deleteRangeRequest(prefix: String) -> JSONValue { rangeRequest(prefix: prefix) }

    /// POST /v3/kv/txn.
    static func transactionRequest(_ transaction: Transaction) -> JSONValue {
        .object([
            "compare": .array(transaction.compares.map(compare)),
            "success": .array(transaction.success.map(requestOperation)),
            "failure": .array(transaction.failure.map(requestOperation)),
        ])
    }

    /// POST /v3/lease/grant; the server picks the ID.
    static func leaseGrantRequest(ttl: Int) -> JSONValue { .object(["TTL": .int(Int64(ttl))]) }

    /// POST /v3/lease/keepalive and /v3/lease/revoke.
    static func leaseRequest(_ lease: LeaseID) -> JSONValue { .object(["ID": .string(String(lease))]) }

    /// POST /v3/watch: one watch on every key under `prefix`, replaying events from `startRevision`.
    static func watchRequest(prefix: String, startRevision: Int64) -> JSONValue {
        .object(["create_request": .object([
            "key": startKey(ofPrefix: prefix),
            "range_end": base64(rangeEnd(ofPrefix: prefix)),
            "start_revision": .string(String(startRevision)),
        ])])
    }

    private static func putFields(key: String, value: String, lease: LeaseID) -> [String: JSONValue] {
        var fields: [String: JSONValue] = ["key": base64(key), "value": base64(value)]
        if lease != 0 { fields["lease"] = .string(String(lease)) }
        return fields
    }

    private static func compare(_ compare: TransactionCompare) -> JSONValue {
        switch compare {
        case .createRevision(let key, let revision):
            return .object(["key": base64(key), "target": .string("CREATE"), "result": .string("EQUAL"),
                            "create_revision": .string(String(revision))])
        case .modRevision(let key, let revision):
            return .object(["key": base64(key), "target": .string("MOD"), "result": .string("EQUAL"),
                            "mod_revision": .string(String(revision))])
        case .value(let key, let value):
            return .object(["key": base64(key), "target": .string("VALUE"), "result": .string("EQUAL"),
                            "value": base64(value)])
        }
    }

    private static func requestOperation(_ operation: TransactionOperation) -> JSONValue {
        switch operation {
        case .put(let key, let value, let lease):
            return .object(["request_put": .object(putFields(key: key, value: value, lease: lease))])
        case .delete(let key):
            return .object(["request_delete_range": .object(["key": base64(key)])])
        }
    }

    // MARK: Responses

    /// The header every response carries: which cluster and member answered, at which store revision,
    /// in which raft term (the stale-member guard compares terms).
    struct ResponseHeader: Equatable {
        var clusterID: String
        var memberID: String
        var revision: Int64
        var raftTerm: Int64

        init(clusterID: String, memberID: String, revision: Int64, raftTerm: Int64) {
            self.clusterID = clusterID
            self.memberID = memberID
            self.revision = revision
            self.raftTerm = raftTerm
        }

        init?(_ json: JSONValue?) {
            guard let json, json.objectValue != nil else { return nil }
            self.init(clusterID: json["cluster_id"]?.stringValue ?? "", memberID: json["member_id"]?.stringValue ?? "",
                      revision: integer(json["revision"]), raftTerm: integer(json["raft_term"]))
        }
    }

    /// An error the server reported: the gateway's `{"error","message","code"}` body of a failed unary
    /// call, or the `{"error":{"grpc_code","message",…}}` of a failed stream.
    struct ServerError: Equatable {
        var code: Int64           // the gRPC status code
        var message: String

        /// gRPC NotFound: "etcdserver: requested lease not found".
        static let notFound: Int64 = 5
        /// Codes that say "this member cannot answer now" (no leader, timed out, being stopped): try
        /// another member. Every other code is the answer itself (e.g. 5 "requested lease not found").
        /// Canceled, Unknown, DeadlineExceeded, FailedPrecondition, Unavailable:
        static let retriableCodes: Set<Int64> = [1, 2, 4, 9, 14]

        var isRetriable: Bool { Self.retriableCodes.contains(code) }

        init(code: Int64, message: String) {
            self.code = code
            self.message = message
        }

        init?(_ body: JSONValue) {
            switch body["error"] {
            case .object(let stream)?:
                self.init(code: integer(stream["grpc_code"]), message: stream["message"]?.stringValue ?? "")
            case .string(let text)? where !text.isEmpty:
                self.init(code: integer(body["code"]), message: body["message"]?.stringValue ?? text)
            default:
                return nil
            }
        }
    }

    static func keyValue(_ json: JSONValue) throws -> KeyValue {
        KeyValue(key: try text(base64: json["key"]), value: try text(base64: json["value"]),
                 createRevision: integer(json["create_revision"]), modRevision: integer(json["mod_revision"]),
                 lease: integer(json["lease"]))
    }

    /// The "kvs" of a range response, in the server's (key) order.
    static func keyValues(ofRange response: JSONValue) throws -> [KeyValue] {
        guard case .array(let kvs)? = response["kvs"] else { return [] }
        return try kvs.map(keyValue)
    }

    /// Every member's client URLs from a member list answer (its fields are camelCase in the proto itself).
    static func clientURLs(ofMemberList response: JSONValue) -> [String] {
        guard case .array(let members)? = response["members"] else { return [] }
        return members.flatMap { member -> [String] in
            guard case .array(let urls)? = member["clientURLs"] else { return [] }
            return urls.compactMap(\.stringValue)
        }
    }

    static func succeeded(ofTransaction response: JSONValue) -> Bool { response["succeeded"]?.boolValue ?? false }

    static func deletedCount(ofDeleteRange response: JSONValue) -> Int { Int(integer(response["deleted"])) }

    /// The remaining TTL of a keep-alive answer (wrapped in "result", as every streaming RPC's answer is);
    /// nil when the lease is gone — the server then omits TTL (0).
    static func remainingTTL(ofKeepAlive response: JSONValue) -> Int? {
        let ttl = integer(response["result"]?["TTL"])
        return ttl > 0 ? Int(ttl) : nil
    }

    /// One message of a watch stream.
    enum WatchMessage: Equatable {
        /// The watch exists; events follow.
        case created(ResponseHeader?)
        case events(ResponseHeader?, [WatchEvent])
        /// The server ended the watch; `compactRevision` > 0 when the start revision was compacted away.
        case canceled(ResponseHeader?, compactRevision: Int64, reason: String)
        /// A progress notification or another message with nothing to act on.
        case progress(ResponseHeader?)
        case failed(ServerError)
    }

    static func watchMessage(_ json: JSONValue) throws -> WatchMessage {
        if let error = ServerError(json) { return .failed(error) }
        guard let result = json["result"] else { throw DCSError("etcd: watch message without result: \(json)") }
        let header = ResponseHeader(result["header"])
        if result["canceled"]?.boolValue == true {
            return .canceled(header, compactRevision: integer(result["compact_revision"]),
                             reason: result["cancel_reason"]?.stringValue ?? "")
        }
        if case .array(let events)? = result["events"], !events.isEmpty {
            return .events(header, try events.map(watchEvent))
        }
        if result["created"]?.boolValue == true { return .created(header) }
        return .progress(header)
    }

    /// A PUT event has no "type" (PUT is the enum's default); a delete's kv holds the key and, as
    /// mod_revision, the revision of the delete.
    private static func watchEvent(_ json: JSONValue) throws -> WatchEvent {
        let kind: WatchEvent.Kind = json["type"]?.stringValue == "DELETE" ? .delete : .put
        return WatchEvent(kind: kind, keyValue: try keyValue(json["kv"] ?? .object([:])))
    }
}
