// Which etcd member the store talks to. Patroni's `etcd3.hosts` lists several client URLs; the store
// uses one at a time and remembers the one that last answered, moving on when it fails or hangs.
//
// Invariants:
// - `order()` always starts with the remembered endpoint and lists every endpoint exactly once.
// - For each cluster_id the highest raft_term seen so far only grows. A member that answers with a lower
//   term is behind the cluster (partitioned, or just restarted from an old snapshot): its answers may be
//   stale, so it is treated as failed, as Patroni does ("stale etcd node").
import Foundation

struct EtcdEndpoints: Sendable {
    /// Client URLs without a trailing slash: "http://127.0.0.1:2379". The configured ones first, then
    /// those learned from the cluster's member list; only ever appended to, so an index stays valid.
    private(set) var urls: [String]
    private(set) var current = 0
    private var highestRaftTerm: [String: Int64] = [:]

    static let defaultClientPort = 2379

    /// Accepts Patroni's spellings: a list, or one comma-separated string, of "host", "host:port" or full
    /// URLs ("https://etcd1:2379"); a missing scheme means http, a missing port 2379.
    init(hosts: [String]) throws {
        let entries = hosts.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !entries.isEmpty else { throw DCSError("etcd3.hosts is empty: at least one etcd endpoint is needed") }
        var urls: [String] = []
        for entry in entries {
            let url = try Self.clientURL(entry)
            if !urls.contains(url) { urls.append(url) }
        }
        self.urls = urls
    }

    private static func clientURL(_ entry: String) throws -> String {
        var rest = Substring(entry)
        var scheme = "http"
        if let range = rest.range(of: "://") {
            scheme = String(rest[..<range.lowerBound]).lowercased()
            rest = rest[range.upperBound...]
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard scheme == "http" || scheme == "https", !rest.isEmpty, !rest.contains("/") else {
            throw DCSError("invalid etcd endpoint \"\(entry)\": expected host:port or http(s)://host:port")
        }
        // "host", "host:port", "[::1]", "[::1]:port"
        let hasPort: Bool
        if rest.hasPrefix("[") { hasPort = rest.contains("]:") }
        else { hasPort = rest.contains(":") }
        if hasPort {
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                  (1...65535).contains(port) else {
                throw DCSError("invalid etcd endpoint \"\(entry)\": bad port")
            }
        }
        return "\(scheme)://\(rest)" + (hasPort ? "" : ":\(defaultClientPort)")
    }

    /// Adds the client URLs of members the configuration did not list; returns how many were new.
    @discardableResult
    mutating func learn(_ discovered: [String]) -> Int {
        var added = 0
        for url in discovered.compactMap({ try? Self.clientURL($0) }) where !urls.contains(url) {
            urls.append(url)
            added += 1
        }
        return added
    }

    /// The endpoints to try, the remembered one first.
    func order() -> [Int] { (0..<urls.count).map { (current + $0) % urls.count } }

    /// `index` answered: keep using it.
    mutating func remember(_ index: Int) { current = index }

    /// Checks a response header against the terms seen so far; returns why the member is stale, or nil.
    mutating func admit(_ header: EtcdJSON.ResponseHeader) -> String? {
        guard header.raftTerm > 0 else { return nil }
        let highest = highestRaftTerm[header.clusterID, default: 0]
        if header.raftTerm < highest {
            return "stale member \(header.memberID): raft_term \(header.raftTerm) < \(highest) "
                + "already seen in cluster \(header.clusterID)"
        }
        highestRaftTerm[header.clusterID] = header.raftTerm
        return nil
    }
}
