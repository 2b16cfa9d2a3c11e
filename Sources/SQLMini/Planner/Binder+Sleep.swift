// pg_sleep(seconds): waits, in slices short enough that a cancel request or statement_timeout
// ends the wait promptly (PostgreSQL's pg_sleep checks for interrupts the same way). Bound here,
// not in the function registry, because it needs the statement's interrupt check.
//
// Invariants: the sleep never outlives a cancel by more than one slice; NULL or a non-positive
// duration returns at once.

import Foundation

extension Binder {
    /// The longest uninterrupted wait inside pg_sleep.
    static let sleepSliceSeconds = 0.01

    func bindSleep(_ call: FunctionCall, _ place: Place, position: Int) throws -> BoundExpression {
        guard call.arguments.count == 1 else {
            throw FunctionRegistry.undefinedFunction(call.name.name, try call.arguments.map { try bind($0, place).type })
        }
        let seconds = try coerce(try bind(call.arguments[0], place), to: .float8, .implicit, position: call.arguments[0].position)
        return .call(name: "pg_sleep", arguments: [seconds], type: .void, strict: false) { values, context in
            guard let total = values[0].doubleValue, total > 0 else { return .text("") }
            let deadline = ContinuousClock.now + .nanoseconds(Int64(min(total, Double(Int32.max)) * 1e9))
            while true {
                try context.execution.checkInterrupts()
                let left = deadline - ContinuousClock.now
                if left <= .zero { return .text("") }
                Thread.sleep(forTimeInterval: min(Binder.sleepSliceSeconds, Double(left.components.seconds)
                                                      + Double(left.components.attoseconds) / 1e18))
            }
        }
    }
}
