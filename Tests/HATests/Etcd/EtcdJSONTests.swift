// The etcd v3 gateway's JSON, both ways, without a network: requests as etcd 3.4 accepts them and answers
// copied from a real etcd 3.4 (base64 bytes, int64 as strings, defaults omitted).
import Foundation
import Testing
@testable import HA

@Suite struct EtcdJSONTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.decode(JSONValue.self, from: text) }

    @Test func prefixRangeEndIncrementsTheLastByteBelow0xFF() {
        #expect(EtcdJSON.rangeEnd(ofPrefix: "/service/batman/") == Array("/service/batman0".utf8))
        #expect(EtcdJSON.rangeEnd(ofPrefix: "aa") == Array("ab".utf8))
        #expect(EtcdJSON.rangeEnd(ofPrefix: "a\u{7f}") == [0x61, 0x80])
        #expect(EtcdJSON.rangeEnd(ofPrefix: "") == [0])
    }

    @Test func rangeOfAPrefixSendsBase64KeyAndRangeEnd() {
        #expect(EtcdJSON.rangeRequest(prefix: "/service/batman/").description
            == #"{"key":"L3NlcnZpY2UvYmF0bWFuLw==","range_end":"L3NlcnZpY2UvYmF0bWFuMA=="}"#)
        #expect(EtcdJSON.rangeRequest(key: "foo").description == #"{"key":"Zm9v"}"#)
        #expect(EtcdJSON.rangeRequest(prefix: "").description == #"{"key":"AA==","range_end":"AA=="}"#)
    }

    @Test func putCarriesTheLeaseOnlyWhenThereIsOne() {
        #expect(EtcdJSON.putRequest(key: "foo", value: "bar", lease: 0).description
            == #"{"key":"Zm9v","value":"YmFy"}"#)
        #expect(EtcdJSON.putRequest(key: "foo", value: "bar", lease: 7_587_862_072_907_594_261).description
            == #"{"key":"Zm9v","lease":"7587862072907594261","value":"YmFy"}"#)
    }

    @Test func leaderRaceIsACreateRevisionZeroTransaction() {
        let transaction = Transaction(compares: [.createRevision(key: "/service/demo/leader", equals: 0)],
                                      success: [.put(key: "/service/demo/leader", value: "patroni1", lease: 42)])
        #expect(EtcdJSON.transactionRequest(transaction).description == """
            {"compare":[{"create_revision":"0","key":"L3NlcnZpY2UvZGVtby9sZWFkZXI=","result":"EQUAL","target":"CREATE"}],\
            "failure":[],\
            "success":[{"request_put":{"key":"L3NlcnZpY2UvZGVtby9sZWFkZXI=","lease":"42","value":"cGF0cm9uaTE="}}]}
            """)
    }

    @Test func compareAndSetAndReleaseMapToModAndValueCompares() {
        let transaction = Transaction(compares: [.modRevision(key: "c", equals: 17), .value(key: "l", equals: "me")],
                                      success: [.delete(key: "l")], failure: [.put(key: "c", value: "", lease: 0)])
        #expect(EtcdJSON.transactionRequest(transaction).description == """
            {"compare":[{"key":"Yw==","mod_revision":"17","result":"EQUAL","target":"MOD"},\
            {"key":"bA==","result":"EQUAL","target":"VALUE","value":"bWU="}],\
            "failure":[{"request_put":{"key":"Yw==","value":""}}],\
            "success":[{"request_delete_range":{"key":"bA=="}}]}
            """)
    }

    @Test func rangeAnswerDecodesStringIntegersAndAbsentLease() throws {
        let answer = try parse("""
            {"header":{"cluster_id":"15118495548433857066","member_id":"13668033151171901709","revision":"7","raft_term":"2"},\
            "kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"5","version":"3","value":"YmFy"},\
            {"key":"bGVhZGVy","create_revision":"6","mod_revision":"6","version":"1","value":"cDE=","lease":"7587862072907594261"}],\
            "count":"2"}
            """)
        #expect(try EtcdJSON.keyValues(ofRange: answer) == [
            KeyValue(key: "foo", value: "bar", createRevision: 2, modRevision: 5),
            KeyValue(key: "leader", value: "p1", createRevision: 6, modRevision: 6, lease: 7_587_862_072_907_594_261),
        ])
        #expect(EtcdJSON.ResponseHeader(answer["header"]) == EtcdJSON.ResponseHeader(
            clusterID: "15118495548433857066", memberID: "13668033151171901709", revision: 7, raftTerm: 2))
        #expect(try EtcdJSON.keyValues(ofRange: parse(#"{"header":{"revision":"7"}}"#)).isEmpty)
    }

    @Test func absentFieldsAreTheirDefaults() throws {
        #expect(!EtcdJSON.succeeded(ofTransaction: try parse(#"{"header":{"revision":"3"}}"#)))
        #expect(EtcdJSON.succeeded(ofTransaction: try parse(#"{"header":{},"succeeded":true,"responses":[]}"#)))
        #expect(EtcdJSON.deletedCount(ofDeleteRange: try parse(#"{"header":{"revision":"4"}}"#)) == 0)
        #expect(EtcdJSON.deletedCount(ofDeleteRange: try parse(#"{"header":{"revision":"4"},"deleted":"2"}"#)) == 2)
    }

    @Test func keepAliveWithoutTTLMeansTheLeaseIsGone() throws {
        #expect(EtcdJSON.remainingTTL(ofKeepAlive: try parse(
            #"{"result":{"header":{"revision":"2","raft_term":"2"},"ID":"12345"}}"#)) == nil)
        #expect(EtcdJSON.remainingTTL(ofKeepAlive: try parse(
            #"{"result":{"header":{"revision":"2"},"ID":"12345","TTL":"30"}}"#)) == 30)
    }

    @Test func errorBodiesOfUnaryCallsAndOfStreams() throws {
        let notFound = try #require(EtcdJSON.ServerError(try parse(
            #"{"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5}"#)))
        #expect(notFound == .init(code: 5, message: "etcdserver: requested lease not found") && !notFound.isRetriable)
        let unavailable = try #require(EtcdJSON.ServerError(try parse(
            #"{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}}"#)))
        #expect(unavailable.isRetriable && unavailable.message == "etcdserver: no leader")
        #expect(EtcdJSON.ServerError(try parse(#"{"header":{}}"#)) == nil)
    }

    @Test func watchMessagesCreatedEventsAndCompaction() throws {
        let header = #""header":{"cluster_id":"1","member_id":"2","revision":"3","raft_term":"2"}"#
        #expect(try EtcdJSON.watchMessage(parse(#"{"result":{\#(header),"created":true}}"#))
            == .created(.init(clusterID: "1", memberID: "2", revision: 3, raftTerm: 2)))
        let events = try EtcdJSON.watchMessage(parse("""
            {"result":{\(header),"events":[{"kv":{"key":"Zm9v","create_revision":"2","mod_revision":"3","version":"2","value":"YmFy"}},\
            {"type":"DELETE","kv":{"key":"Zm9v","mod_revision":"4"}}]}}
            """))
        #expect(events == .events(.init(clusterID: "1", memberID: "2", revision: 3, raftTerm: 2), [
            WatchEvent(kind: .put, keyValue: KeyValue(key: "foo", value: "bar", createRevision: 2, modRevision: 3)),
            WatchEvent(kind: .delete, keyValue: KeyValue(key: "foo", value: "", createRevision: 0, modRevision: 4)),
        ]))
        #expect(try EtcdJSON.watchMessage(parse(
            #"{"result":{"header":{"cluster_id":"1","member_id":"2","raft_term":"2"},"canceled":true,"compact_revision":"3"}}"#))
            == .canceled(.init(clusterID: "1", memberID: "2", revision: 0, raftTerm: 2), compactRevision: 3, reason: ""))
    }

    @Test func watchRequestStartsAtTheGivenRevision() {
        #expect(EtcdJSON.watchRequest(prefix: "/service/demo/", startRevision: 8).description
            == #"{"create_request":{"key":"L3NlcnZpY2UvZGVtby8=","range_end":"L3NlcnZpY2UvZGVtbzA=","start_revision":"8"}}"#)
    }
}
