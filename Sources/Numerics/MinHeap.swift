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
        items.withUnsafeMutableBufferPointer { h in
            // Sift up with a hole: parents move down until the element's place is found.
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard element < h[parent] else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = element
        }
    }

    /// Removes and returns the smallest element; the heap must not be empty.
    @inlinable
    public mutating func pop() -> Element {
        let top = items[0]
        let last = items.removeLast()
        guard !items.isEmpty else { return top }
        items.withUnsafeMutableBufferPointer { h in
            // Sift down with a hole from the root: the smaller child moves up until `last` fits.
            let n = h.count
            var i = 0
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                let r = l + 1
                let m = r < n && h[r] < h[l] ? r : l
                guard h[m] < last else { break }
                h[i] = h[m]
                i = m
            }
            h[i] = last
        }
        return top
    }
}
