// Operators: resolution and evaluation of PostgreSQL's built-in operators over Values.
//
// The planner calls `Operators.resolveBinary("+", left: .int4, right: .int8)` once per expression;
// the answer says which types the operands are coerced to and what the result type is, and carries
// the function the executor calls per row with the operands' original values (it does the implicit
// coercions itself). All operators here are strict: a NULL operand gives NULL.
//
// Resolution follows PostgreSQL's rules for these types: an unknown literal takes the other side's
// type ('16389' next to an oid is an oid); numbers promote int2 → int4 → int8 → numeric → float8
// (float4 with anything but float4 → float8); character types meet in text; date/timestamp meet in
// the later one; no match is 42883 "operator does not exist: integer = text".

public struct ResolvedOperator: Sendable {
    public var name: String
    /// The operand types the inputs are coerced to (what the operator is declared for).
    public var leftType: SQLType
    public var rightType: SQLType
    public var resultType: SQLType
    /// Evaluates on the operands' original values (coercions included); strict.
    public let evaluate: @Sendable (Value, Value) throws -> Value
}

public struct ResolvedUnaryOperator: Sendable {
    public var name: String
    public var operandType: SQLType
    public var resultType: SQLType
    public let evaluate: @Sendable (Value) throws -> Value
}

public enum Operators {
    static let comparisonNames: Set<String> = ["=", "<>", "<", "<=", ">", ">="]
    static let likeNames: [String: (caseInsensitive: Bool, negated: Bool)] = [
        "~~": (false, false), "!~~": (false, true), "~~*": (true, false), "!~~*": (true, true),
    ]
    static let regexNames: [String: (caseInsensitive: Bool, negated: Bool)] = [
        "~": (false, false), "!~": (false, true), "~*": (true, false), "!~*": (true, true),
    ]

    static func noOperator(_ name: String, _ left: SQLType, _ right: SQLType) -> SQLError {
        SQLError(SQLError.undefinedFunction, "operator does not exist: \(left.withoutModifier.formatted) \(name) \(right.withoutModifier.formatted)",
                 hint: "No operator matches the given name and argument types. You might need to add explicit type casts.")
    }

    /// Canonical operator name: "!=" is "<>", LIKE is "~~", ILIKE "~~*".
    public static func canonicalName(_ name: String) -> String {
        switch name.uppercased() {
        case "!=": return "<>"
        case "LIKE": return "~~"
        case "NOT LIKE": return "!~~"
        case "ILIKE": return "~~*"
        case "NOT ILIKE": return "!~~*"
        default: return name
        }
    }

    public static func resolveBinary(_ rawName: String, left: SQLType, right: SQLType) throws -> ResolvedOperator {
        let name = canonicalName(rawName)
        var l = left, r = right
        let stringish = name == "||" || likeNames[name] != nil || regexNames[name] != nil
        if l.oid == SQLType.unknown.oid && r.oid == SQLType.unknown.oid { l = .text; r = .text }
        else if l.oid == SQLType.unknown.oid { l = (stringish && !r.isArray) ? .text : r.withoutModifier }
        else if r.oid == SQLType.unknown.oid { r = (stringish && !l.isArray) ? .text : l.withoutModifier }
        // timestamp + '1 day': date/time arithmetic with a literal means an interval, as PostgreSQL resolves it.
        let dateTimes: Set<UInt32> = [SQLType.date.oid, SQLType.timestamp.oid, SQLType.timestamptz.oid, SQLType.interval.oid]
        if name == "+" || name == "-" {
            if right.oid == SQLType.unknown.oid, dateTimes.contains(left.oid) { r = .interval }
            if left.oid == SQLType.unknown.oid, dateTimes.contains(right.oid), name == "+" { l = .interval }
        }

        if comparisonNames.contains(name) { return try resolveComparison(name, left, right, l, r) }
        if let like = likeNames[name] { return try resolvePattern(name, left, right, l, r, isRegex: false, like) }
        if let regex = regexNames[name] { return try resolvePattern(name, left, right, l, r, isRegex: true, regex) }
        if name == "||" { return try resolveConcatenation(left, right, l, r) }
        if let resolved = try Arithmetic.resolve(name, originalLeft: left, originalRight: right, left: l, right: r) { return resolved }
        throw noOperator(name, left, right)
    }

    /// The type two comparable operands meet in, nil if they are not comparable.
    public static func commonType(_ a: SQLType, _ b: SQLType) -> SQLType? {
        if a.oid == b.oid { return a.oid == SQLType.bpchar.oid ? .bpchar : a.withoutModifier }
        if a.oid == SQLType.unknown.oid { return b.withoutModifier }
        if b.oid == SQLType.unknown.oid { return a.withoutModifier }
        if let ra = Arithmetic.numericRank(a), let rb = Arithmetic.numericRank(b) {
            return Arithmetic.promoted(ra, rb)
        }
        let c1 = Casts.context(from: a, to: b), c2 = Casts.context(from: b, to: a)
        if c1 == .implicit, c2 == .implicit {
            // Both directions are implicit (strings, oid/reg*): prefer the preferred type of the category.
            if a.category == .string || a.oid == SQLType.char.oid { return .text }
            return b.info?.isPreferred == true ? b.withoutModifier : a.withoutModifier
        }
        if c1 == .implicit { return b.withoutModifier }
        if c2 == .implicit { return a.withoutModifier }
        return nil
    }

    private static func resolveComparison(_ name: String, _ originalLeft: SQLType, _ originalRight: SQLType,
                                          _ l: SQLType, _ r: SQLType) throws -> ResolvedOperator {
        guard let common = commonType(l, r) else { throw noOperator(name, originalLeft, originalRight) }
        let test: @Sendable (Int) -> Bool
        switch name {
        case "=": test = { $0 == 0 }
        case "<>": test = { $0 != 0 }
        case "<": test = { $0 < 0 }
        case "<=": test = { $0 <= 0 }
        case ">": test = { $0 > 0 }
        default: test = { $0 >= 0 }
        }
        let blankPadded = common.oid == SQLType.bpchar.oid
        let coerceLeft = coercion(from: originalLeft, to: common), coerceRight = coercion(from: originalRight, to: common)
        return ResolvedOperator(name: name, leftType: common, rightType: common, resultType: .bool) { a, b in
            if a.isNull || b.isNull { return .null }
            let x = try coerceLeft(a), y = try coerceRight(b)
            return .bool(test(Value.compare(x, y, ignoringTrailingSpaces: blankPadded)))
        }
    }

    /// A function converting values of `from` to `to` implicitly (identity when no work is needed).
    static func coercion(from: SQLType, to: SQLType) -> @Sendable (Value) throws -> Value {
        if from.oid == to.oid { return { $0 } }
        return { try Casts.cast($0, from: from, to: to, context: .explicit) }
    }

    private static func resolvePattern(_ name: String, _ originalLeft: SQLType, _ originalRight: SQLType,
                                       _ l: SQLType, _ r: SQLType, isRegex: Bool,
                                       _ mode: (caseInsensitive: Bool, negated: Bool)) throws -> ResolvedOperator {
        let textual: (SQLType) -> Bool = { $0.category == .string || $0.oid == SQLType.char.oid || $0.oid == SQLType.unknown.oid }
        guard textual(l), textual(r) else { throw noOperator(name, originalLeft, originalRight) }
        // character(n) keeps its padding here: PostgreSQL's pattern matching sees the trailing blanks.
        let matcher = PatternCache(isRegex: isRegex, caseInsensitive: mode.caseInsensitive)
        let negated = mode.negated
        return ResolvedOperator(name: name, leftType: l, rightType: r, resultType: .bool) { a, b in
            guard case .text(let subject) = a, case .text(let pattern) = b else { return .null }
            let matched = try matcher.matches(subject, pattern: pattern)
            return .bool(matched != negated)
        }
    }

    private static func resolveConcatenation(_ originalLeft: SQLType, _ originalRight: SQLType,
                                             _ l: SQLType, _ r: SQLType) throws -> ResolvedOperator {
        if l.oid == SQLType.bytea.oid, r.oid == SQLType.bytea.oid {
            return ResolvedOperator(name: "||", leftType: .bytea, rightType: .bytea, resultType: .bytea) { a, b in
                guard case .bytea(let x) = a, case .bytea(let y) = b else { return .null }
                return .bytea(x + y)
            }
        }
        if l.isArray || r.isArray {
            let arrayType = l.isArray ? l : r
            guard let element = arrayType.elementType else { throw noOperator("||", originalLeft, originalRight) }
            let leftCoerce = coercion(from: originalLeft, to: l.isArray ? arrayType : element)
            let rightCoerce = coercion(from: originalRight, to: r.isArray ? arrayType : element)
            let leftIsArray = l.isArray, rightIsArray = r.isArray
            return ResolvedOperator(name: "||", leftType: l.isArray ? arrayType : element, rightType: r.isArray ? arrayType : element,
                                    resultType: arrayType.withoutModifier) { a, b in
                // Array concatenation is not strict about a NULL element operand.
                if leftIsArray && rightIsArray && (a.isNull || b.isNull) { return a.isNull ? b : a }
                let x = try leftCoerce(a), y = try rightCoerce(b)
                var elements: [Value] = []
                if leftIsArray { if case .array(let v) = x { elements += v.elements } } else { elements.append(x) }
                if rightIsArray { if case .array(let v) = y { elements += v.elements } } else { elements.append(y) }
                if leftIsArray && a.isNull && !rightIsArray { return .null }
                return .array(ArrayValue(elementType: element, elements: elements))
            }
        }
        // text || anything (and anything || text): the non-text side is printed with its output function.
        let lt = originalLeft.oid == SQLType.unknown.oid ? SQLType.text : originalLeft
        let rt = originalRight.oid == SQLType.unknown.oid ? SQLType.text : originalRight
        guard lt.category == .string || rt.category == .string || lt.oid == SQLType.char.oid || rt.oid == SQLType.char.oid else {
            throw noOperator("||", originalLeft, originalRight)
        }
        return ResolvedOperator(name: "||", leftType: .text, rightType: .text, resultType: .text) { a, b in
            if a.isNull || b.isNull { return .null }
            let x = try Casts.cast(a, from: lt, to: .text), y = try Casts.cast(b, from: rt, to: .text)
            guard case .text(let s1) = x, case .text(let s2) = y else { return .null }
            return .text(s1 + s2)
        }
    }

    // MARK: Unary

    public static func resolveUnary(_ name: String, operand: SQLType) throws -> ResolvedUnaryOperator {
        let type = operand.oid == SQLType.unknown.oid ? SQLType.numeric : operand.withoutModifier
        switch name {
        case "+":
            guard Arithmetic.numericRank(type) != nil || type.oid == SQLType.interval.oid else { throw noUnary(name, operand) }
            let coerce = coercion(from: operand, to: type)
            return ResolvedUnaryOperator(name: name, operandType: type, resultType: type) { try coerce($0) }
        case "-":
            guard Arithmetic.numericRank(type) != nil || type.oid == SQLType.interval.oid else { throw noUnary(name, operand) }
            let coerce = coercion(from: operand, to: type)
            return ResolvedUnaryOperator(name: name, operandType: type, resultType: type) { try Arithmetic.negate(try coerce($0)) }
        case "@":
            guard Arithmetic.numericRank(type) != nil else { throw noUnary(name, operand) }
            let coerce = coercion(from: operand, to: type)
            return ResolvedUnaryOperator(name: name, operandType: type, resultType: type) { v in
                let x = try coerce(v)
                return Value.compare(x, .int4(0)) < 0 ? try Arithmetic.negate(x) : x
            }
        case "~":
            guard [SQLType.int2.oid, SQLType.int4.oid, SQLType.int8.oid].contains(type.oid) else { throw noUnary(name, operand) }
            return ResolvedUnaryOperator(name: name, operandType: type, resultType: type) { v in
                switch v {
                case .int2(let x): return .int2(~x)
                case .int4(let x): return .int4(~x)
                case .int8(let x): return .int8(~x)
                default: return .null
                }
            }
        default:
            throw noUnary(name, operand)
        }
    }

    static func noUnary(_ name: String, _ operand: SQLType) -> SQLError {
        SQLError(SQLError.undefinedFunction, "operator does not exist: \(name) \(operand.withoutModifier.formatted)",
                 hint: "No operator matches the given name and argument type. You might need to add an explicit type cast.")
    }

    // MARK: Quantified comparison and boolean logic

    /// `x op ANY (array)`: true if any element satisfies op, else NULL if any comparison was NULL, else false.
    /// `x op ALL (array)`: false if any element fails, else NULL if any was NULL, else true.
    public static func quantified(_ op: ResolvedOperator, _ value: Value, _ array: Value, all: Bool) throws -> Value {
        guard case .array(let elements) = array else { return .null }
        var sawNull = false
        for element in elements.elements {
            switch try op.evaluate(value, element) {
            case .bool(let b):
                if all && !b { return .bool(false) }
                if !all && b { return .bool(true) }
            default: sawNull = true
            }
        }
        return sawNull ? .null : .bool(all)
    }

    /// SQL's three-valued AND (false wins over NULL).
    public static func and(_ a: Value, _ b: Value) -> Value {
        if case .bool(false) = a { return .bool(false) }
        if case .bool(false) = b { return .bool(false) }
        if a.isNull || b.isNull { return .null }
        return .bool(true)
    }

    /// SQL's three-valued OR (true wins over NULL).
    public static func or(_ a: Value, _ b: Value) -> Value {
        if case .bool(true) = a { return .bool(true) }
        if case .bool(true) = b { return .bool(true) }
        if a.isNull || b.isNull { return .null }
        return .bool(false)
    }

    public static func not(_ a: Value) -> Value {
        if case .bool(let b) = a { return .bool(!b) }
        return .null
    }
}
