// RowEncoder / ParameterDecoder: values to and from the bytes of DataRow and Bind messages, in
// each column's or parameter's format (0 text, 1 binary — PostgreSQL's typsend/typreceive
// layouts, big-endian). Format lists follow the protocol's rule: none = all text, one = the
// same for all, otherwise one per column.

struct RowEncoder {
    let columns: [ResultColumn]
    let formats: [Int16]
    let catalog: CatalogLookup?

    func encode(_ row: [Value]) throws -> [[UInt8]?] {
        var encoded: [[UInt8]?] = []
        encoded.reserveCapacity(row.count)
        for (index, value) in row.enumerated() {
            let type = index < columns.count ? columns[index].type : SQLType.text
            let format = index < formats.count ? formats[index] : 0
            if value.isNull {
                encoded.append(nil)
            } else if format == 1 {
                encoded.append(try value.binary(as: type))
            } else {
                encoded.append(value.text(as: type, catalog: catalog).map { Array($0.utf8) })
            }
        }
        return encoded
    }

    /// Expands a Bind/result format list to one format per column; 08P01 when it does not fit.
    static func expand(_ formats: [Int16], count: Int) throws -> [Int16] {
        switch formats.count {
        case 0: return [Int16](repeating: 0, count: count)
        case 1: return [Int16](repeating: formats[0], count: count)
        case count: return formats
        default:
            throw SQLError(SQLError.protocolViolation,
                           "bind message has \(formats.count) result formats but query has \(count) columns")
        }
    }
}

enum ParameterDecoder {
    /// The Bind message's parameter values as Values of the statement's parameter types.
    static func decode(_ parameters: [[UInt8]?], formats: [Int16], types: [SQLType],
                       statementName: String, catalog: CatalogLookup?) throws -> [Value] {
        guard parameters.count == types.count else {
            throw SQLError(SQLError.protocolViolation,
                           "bind message supplies \(parameters.count) parameters, but prepared statement \"\(statementName)\" requires \(types.count)")
        }
        guard formats.count <= 1 || formats.count == parameters.count else {
            throw SQLError(SQLError.protocolViolation,
                           "bind message has \(formats.count) parameter formats but \(parameters.count) parameters")
        }
        var values: [Value] = []
        values.reserveCapacity(parameters.count)
        for (index, bytes) in parameters.enumerated() {
            guard let bytes else {
                values.append(.null)
                continue
            }
            let format = formats.isEmpty ? 0 : (formats.count == 1 ? formats[0] : formats[index])
            let type = types[index]
            switch format {
            case 0:
                values.append(try Value.parse(String(decoding: bytes, as: UTF8.self), as: type, catalog: catalog))
            case 1:
                do {
                    values.append(try Value.parseBinary(bytes, as: type))
                } catch {
                    throw SQLError(SQLError.invalidBinaryRepresentation,
                                   "incorrect binary data format in bind parameter \(index + 1)")
                }
            default:
                throw SQLError(SQLError.protocolViolation, "unsupported format code: \(format)")
            }
        }
        return values
    }
}
