/// A reference cell: concurrent tasks each write their own `Box`, and a reader reads it after
/// the writer has finished (the caller's synchronisation orders the two).
public final class Box<T>: @unchecked Sendable {
    public var value: T
    public init(_ value: T) { self.value = value }
}
