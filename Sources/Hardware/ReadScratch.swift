import Foundation

/// Working buffers of one worker's forward blocks, grown as needed and reused, so that blocks
/// do not allocate (and fault in) fresh pages. Contents are unspecified between uses.
final class ReadScratch {
    private var floatBuffers: [UnsafeMutableBufferPointer<Float>] = []
    private var byteBuffer = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)
    private var intBuffer = UnsafeMutableBufferPointer<Int32>(start: nil, count: 0)
    private var doubleBuffer = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)

    /// Float buffer `slot` with room for `count` values.
    func floats(_ slot: Int, _ count: Int) -> UnsafeMutablePointer<Float> {
        while floatBuffers.count <= slot { floatBuffers.append(.allocate(capacity: 16)) }
        if floatBuffers[slot].count < count {
            floatBuffers[slot].deallocate()
            floatBuffers[slot] = .allocate(capacity: count)
        }
        return floatBuffers[slot].baseAddress!
    }

    func bytes(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        if byteBuffer.count < max(count, 16) {
            byteBuffer.deallocate()
            byteBuffer = .allocate(capacity: max(count, 16))
        }
        return byteBuffer.baseAddress!
    }

    func doubles(_ count: Int) -> UnsafeMutablePointer<Double> {
        if doubleBuffer.count < max(count, 16) {
            doubleBuffer.deallocate()
            doubleBuffer = .allocate(capacity: max(count, 16))
        }
        return doubleBuffer.baseAddress!
    }

    func int32s(_ count: Int) -> UnsafeMutablePointer<Int32> {
        if intBuffer.count < max(count, 16) {
            intBuffer.deallocate()
            intBuffer = .allocate(capacity: max(count, 16))
        }
        return intBuffer.baseAddress!
    }

    deinit {
        for b in floatBuffers { b.deallocate() }
        byteBuffer.deallocate()
        intBuffer.deallocate()
        doubleBuffer.deallocate()
    }
}
