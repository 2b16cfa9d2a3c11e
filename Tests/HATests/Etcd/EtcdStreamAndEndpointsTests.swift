// The watch stream splitter fed one byte at a time, and the endpoint list: Patroni's host spellings,
// the remembered endpoint first, and the stale-member guard on raft_term.
import Testing
@testable import HA

@Suite struct EtcdJSONStreamTests {
    let messages = [
        #"{"result":{"header":{"revision":"1"},"created":true}}"#,
        #"{"result":{"events":[{"kv":{"key":"e30=","value":"In0i"}}]}}"#,   // braces and quotes inside strings
        #"{"error":{"grpc_code":14,"message":"a \"quoted\" } brace"}}"#,
    ]

    @Test func dripFedBytesYieldEachMessageOnceInOrder() throws {
        var stream = EtcdJSONStream()
        var seen: [String] = []
        for byte in Array(messages.joined(separator: "\n").utf8) {
            seen += try stream.append([byte]).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(seen == messages)
    }

    @Test func severalMessagesInOneChunkAndOneSplitAcrossTwo() throws {
        var stream = EtcdJSONStream()
        let text = Array((messages[0] + messages[1] + "\r\n" + messages[2]).utf8)
        let cut = messages[0].utf8.count + messages[1].utf8.count + 10
        let first = try stream.append(text[..<cut]).map { String(decoding: $0, as: UTF8.self) }
        let second = try stream.append(text[cut...]).map { String(decoding: $0, as: UTF8.self) }
        #expect(first == [messages[0], messages[1]])
        #expect(second == [messages[2]])
    }

    @Test func garbageBetweenMessagesIsAnError() throws {
        var stream = EtcdJSONStream()
        #expect(throws: DCSError.self) { try stream.append(Array("}".utf8)) }
        var other = EtcdJSONStream()
        #expect(throws: DCSError.self) { try other.append(Array("HTTP/1.1 200".utf8)) }
    }
}

@Suite struct EtcdEndpointsTests {
    @Test func patroniHostSpellings() throws {
        #expect(try EtcdEndpoints(hosts: ["127.0.0.1:2379,127.0.0.1:2380"]).urls
            == ["http://127.0.0.1:2379", "http://127.0.0.1:2380"])
        #expect(try EtcdEndpoints(hosts: ["etcd1", " https://etcd2:2379/ ", "[::1]", "[::1]:4001", "etcd1"]).urls
            == ["http://etcd1:2379", "https://etcd2:2379", "http://[::1]:2379", "http://[::1]:4001"])
        #expect(throws: DCSError.self) { try EtcdEndpoints(hosts: [" , "]) }
        #expect(throws: DCSError.self) { try EtcdEndpoints(hosts: ["etcd1:notaport"]) }
        #expect(throws: DCSError.self) { try EtcdEndpoints(hosts: ["ftp://etcd1:2379"]) }
    }

    @Test func theRememberedEndpointIsTriedFirstThenTheOthers() throws {
        var endpoints = try EtcdEndpoints(hosts: ["a:1", "b:2", "c:3"])
        #expect(endpoints.order() == [0, 1, 2])
        endpoints.remember(2)
        #expect(endpoints.order() == [2, 0, 1])
    }

    @Test func membersLearnedFromTheMemberListAreAppendedOnce() throws {
        let answer = try JSONValue.decode(JSONValue.self, from: """
            {"header":{"raft_term":"2"},"members":[\
            {"ID":"1","name":"etcd1","peerURLs":["http://127.0.0.1:2380"],"clientURLs":["http://127.0.0.1:2379"]},\
            {"ID":"2","name":"etcd2","peerURLs":["http://127.0.0.1:2480"],"clientURLs":["http://127.0.0.1:2479"]},\
            {"ID":"3","peerURLs":["http://127.0.0.1:2580"]}]}
            """)
        let discovered = EtcdJSON.clientURLs(ofMemberList: answer)
        #expect(discovered == ["http://127.0.0.1:2379", "http://127.0.0.1:2479"])   // etcd3 not started yet
        var endpoints = try EtcdEndpoints(hosts: ["127.0.0.1:2379"])
        #expect(endpoints.learn(discovered) == 1)
        #expect(endpoints.learn(discovered) == 0)
        #expect(endpoints.urls == ["http://127.0.0.1:2379", "http://127.0.0.1:2479"])
    }

    @Test func aMemberBehindTheHighestRaftTermSeenIsStale() throws {
        var endpoints = try EtcdEndpoints(hosts: ["a:1"])
        func header(cluster: String = "c1", member: String = "m1", term: Int64) -> EtcdJSON.ResponseHeader {
            .init(clusterID: cluster, memberID: member, revision: 10, raftTerm: term)
        }
        #expect(endpoints.admit(header(term: 3)) == nil)
        #expect(endpoints.admit(header(member: "m2", term: 4)) == nil)
        let stale = endpoints.admit(header(member: "m3", term: 3))
        #expect(stale?.contains("raft_term 3 < 4") == true)
        #expect(endpoints.admit(header(cluster: "c2", term: 1)) == nil)   // another cluster counts on its own
        #expect(endpoints.admit(header(term: 4)) == nil)
    }
}
