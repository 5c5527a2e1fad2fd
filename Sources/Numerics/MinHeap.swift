/// A binary min-heap (the event queues of the simulators): `pop` returns the smallest element
/// by `<` (callers break ties, for example by a sequence number inside the element).
public struct MinHeap<Element: Comparable> {
    @usableFromInline var items: [Element] = []

    public init() {}

    @inlinable func less(_ a: Element, _ b: Element) -> Bool { a < b }

    public var isEmpty: Bool { items.isEmpty }
    public var count: Int { items.count }
    /// The smallest element, if any.
    public var first: Element? { items.first }

    public mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    @inlinable
    public mutating func push(_ element: Element) {
        items.append(element)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if less(items[i], items[parent]) { items.swapAt(i, parent); i = parent } else { break }
        }
    }

    /// Removes and returns the smallest element; the heap must not be empty.
    @inlinable
    public mutating func pop() -> Element {
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && less(items[l], items[m]) { m = l }
                if r < items.count && less(items[r], items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m); i = m
            }
        }
        return top
    }
}
