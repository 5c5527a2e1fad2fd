import Foundation

/// Packing buffers owned by one thread (thread-local storage), grown on demand and kept for the
/// thread's lifetime, so GEMM calls from any number of threads never share or reallocate them.
final class Scratch {
    private var buffers: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = []

    func buffer(_ index: Int, capacity: Int) -> UnsafeMutablePointer<Float> {
        while buffers.count <= index { buffers.append((UnsafeMutablePointer<Float>.allocate(capacity: 0), 0)) }
        if buffers[index].capacity < capacity {
            buffers[index].pointer.deallocate()
            buffers[index] = (UnsafeMutablePointer<Float>.allocate(capacity: capacity), capacity)
        }
        return buffers[index].pointer
    }

    deinit { for b in buffers { b.pointer.deallocate() } }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in
            if let raw = UnsafeMutableRawPointer(raw) { Unmanaged<Scratch>.fromOpaque(raw).release() }
        }
        return key
    }()

    static var current: Scratch {
        if let raw = pthread_getspecific(key) { return Unmanaged<Scratch>.fromOpaque(raw).takeUnretainedValue() }
        let s = Scratch()
        pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
        return s
    }
}
