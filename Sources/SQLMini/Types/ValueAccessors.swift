// ValueAccessors: typed views of a Value for code that already knows the value's type
// (function bodies, the executor). Each returns nil for NULL or another representation.

extension Value {
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var stringValue: String? { if case .text(let s) = self { return s } else { return nil } }
    public var oidValue: UInt32? {
        switch self {
        case .oid(let o): return o
        case .int4(let v): return UInt32(bitPattern: v)
        default: return nil
        }
    }
    public var arrayValue: ArrayValue? { if case .array(let a) = self { return a } else { return nil } }
    public var lsnValue: UInt64? { if case .pgLSN(let l) = self { return l } else { return nil } }
    var int32Value: Int32? { integerValue.flatMap { Int32(exactly: $0) } }
}
