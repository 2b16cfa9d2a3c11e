// HashAggregateNode: GROUP BY and aggregates. Groups input rows by the group-key expressions in a
// hash table (first-seen order is kept), feeds each group's aggregate states, and produces one row
// per group: [group keys..., aggregate results...]. Without GROUP BY there is exactly one group,
// even over no rows (`SELECT count(*) FROM empty` is 0).

final class HashAggregateNode: PlanNode, @unchecked Sendable {
    let child: PlanNode
    let groupKeys: [BoundExpression]
    let aggregates: [AggregateCall]
    let columns: [PlanColumn]
    var children: [PlanNode] { [child] }
    var explainLine: String { groupKeys.isEmpty ? "Aggregate" : "HashAggregate" }

    init(child: PlanNode, groupKeys: [BoundExpression], aggregates: [AggregateCall], columns: [PlanColumn]) {
        self.child = child
        self.groupKeys = groupKeys
        self.aggregates = aggregates
        self.columns = columns
    }

    private final class Group {
        let key: [Value]
        let states: [AggregateState]
        var distinctSeen: [Set<GroupKey>]
        init(key: [Value], states: [AggregateState], aggregateCount: Int) {
            self.key = key
            self.states = states
            self.distinctSeen = Array(repeating: [], count: aggregateCount)
        }
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        var groups: [GroupKey: Group] = [:]
        var order: [Group] = []
        let factories = try aggregates.map { try AggregateFunctions.stateFactory($0) }
        func newGroup(_ key: [Value]) throws -> Group {
            let group = Group(key: key, states: factories.map { $0() }, aggregateCount: aggregates.count)
            order.append(group)
            return group
        }
        if groupKeys.isEmpty { groups[GroupKey([])] = try newGroup([]) }
        try child.run(context) { row in
            let keyValues = try groupKeys.map { try $0.evaluate(row, context) }
            let key = GroupKey(keyValues)
            let group: Group
            if let existing = groups[key] { group = existing } else { group = try newGroup(keyValues); groups[key] = group }
            for (i, aggregate) in aggregates.enumerated() {
                let arguments = try (aggregate.arguments + aggregate.sortExpressions).map { try $0.evaluate(row, context) }
                if aggregate.distinct {
                    if arguments.first?.isNull ?? false { continue }
                    let distinctKey = GroupKey(Array(arguments.prefix(aggregate.arguments.count)))
                    guard group.distinctSeen[i].insert(distinctKey).inserted else { continue }
                }
                try group.states[i].add(arguments)
            }
            return true
        }
        for group in order {
            let row = group.key + (try group.states.map { try $0.result() })
            if try !consume(row) { return false }
        }
        return true
    }
}
