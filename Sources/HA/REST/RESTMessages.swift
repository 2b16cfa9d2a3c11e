// The REST API's request and response as plain values, apart from NIO: the channel handler turns bytes into a
// `RESTRequest`, the router answers with a `RESTResponse`, and the handler turns that back into bytes. Every
// endpoint is therefore a function from values to values, testable without sockets.
//
// Invariant: a response's body is complete when it is built (no streaming): every answer of this API is small.
import Foundation
import NIOHTTP1

public struct RESTRequest: Sendable {
    public var method: HTTPMethod
    /// The path without its query string, e.g. "/replica".
    public var path: String
    /// Query parameters; a repeated name keeps its first value (as Patroni reads `?lag=`).
    public var query: [String: String]
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: HTTPMethod, uri: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.headers = headers
        self.body = body
        let components = URLComponents(string: uri)
        self.path = components?.path ?? uri
        var query: [String: String] = [:]
        for item in components?.queryItems ?? [] where query[item.name] == nil {
            query[item.name] = item.value ?? ""
        }
        self.query = query
    }

    /// GET, HEAD and OPTIONS read; everything else changes something and needs authentication.
    public var isReadOnly: Bool { method == .GET || method == .HEAD || method == .OPTIONS }
    /// HEAD and OPTIONS are answered like GET, with the status line and headers only (what HAProxy sends).
    public var wantsStatusOnly: Bool { method == .HEAD || method == .OPTIONS }
}

/// Why a request body is not what an endpoint takes; the router answers 400 with `message`.
struct RESTBodyError: Error {
    var message: String
}

extension RESTRequest {
    /// The body as a JSON object. Patroni's rule: a body is required unless `optional`, and must be an
    /// object; an empty object counts as missing unless `optional`.
    func jsonObject(optional: Bool = false) throws(RESTBodyError) -> [String: JSONValue] {
        if body.isEmpty {
            if optional { return [:] }
            throw RESTBodyError(message: "a JSON object is required in the request body")
        }
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) else {
            throw RESTBodyError(message: "the request body is not valid JSON")
        }
        guard let fields = document.objectValue else {
            throw RESTBodyError(message: "the request body must be a JSON object")
        }
        if fields.isEmpty, !optional { throw RESTBodyError(message: "the request body is an empty JSON object") }
        return fields
    }
}

public struct RESTResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    public var extraHeaders: [(name: String, value: String)]
    /// Close the connection after this response (a 413, whose body was not read in full, for one).
    public var closesConnection: Bool

    public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: [UInt8] = [],
                extraHeaders: [(name: String, value: String)] = [], closesConnection: Bool = false) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.extraHeaders = extraHeaders
        self.closesConnection = closesConnection
    }

    /// A short human-readable message, as Patroni answers actions ("reload scheduled", …).
    static func text(_ status: Int, _ message: String) -> RESTResponse {
        RESTResponse(status: status, body: Array(message.utf8))
    }

    /// Compact JSON with sorted keys.
    static func json<T: Encodable>(_ status: Int, _ value: T) -> RESTResponse {
        let text = (try? JSONValue.encodeCompact(value)) ?? "null"
        return RESTResponse(status: status, contentType: "application/json", body: Array(text.utf8))
    }

    /// The message of a text response (for logs).
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}
