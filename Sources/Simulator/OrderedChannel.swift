import Foundation

/// Hands items 0, 1, 2, ... from one producer thread to one consumer thread in order, holding
/// at most `capacity` at once: the producer waits while it is full, the consumer while it is
/// empty. What crosses is whole values, so the result does not depend on the threads' timing.
final class OrderedChannel<T>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [T?]
    private var produced = 0, consumed = 0

    init(capacity: Int) {
        precondition(capacity >= 1)
        items = [T?](repeating: nil, count: capacity)
    }

    /// Appends the next item.
    func put(_ x: T) {
        condition.lock()
        defer { condition.unlock() }
        while produced - consumed == items.count { condition.wait() }
        items[produced % items.count] = x
        produced += 1
        condition.broadcast()
    }

    /// Item i, which must be the next one not yet taken.
    func take(_ i: Int) -> T {
        condition.lock()
        defer { condition.unlock() }
        precondition(i == consumed, "items are taken in order")
        while produced == consumed { condition.wait() }
        let x = items[i % items.count]!
        items[i % items.count] = nil
        consumed += 1
        condition.broadcast()
        return x
    }
}
