using System.Runtime.InteropServices;

namespace MiDpg.Research.Platform;

/// <summary>
/// Settings of the C allocator (glibc malloc) that libtorch's CPU tensors come from.
/// <para>By default glibc serves blocks above a dynamic threshold (128 KiB, growing up to 32 MiB) with fresh
/// mmap calls and returns the top of the heap to the system as soon as 128 KiB-256 KiB are free. A training step
/// allocates and frees the same multi-megabyte intermediates every step (the DWM layers' B x d_r x d_n products,
/// their gradients), so by default every step pays page faults and kernel zeroing for them again: on the
/// throughput workload that was more than half of backward. <see cref="KeepFreedMemoryForReuse"/> fixes the mmap
/// threshold at 32 MiB (the largest glibc accepts) and keeps up to 512 MiB of freed memory for reuse, so a step's
/// intermediates are recycled from the heap. Peak memory is unchanged (the freed blocks are the ones the next step
/// needs); the resident size stays near the peak instead of shrinking between steps.</para>
/// No effect where the C library is not glibc (the call is simply absent).
/// </summary>
public static class NativeAllocator
{
    const int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_THRESHOLD = -3;
    public const int MmapThresholdBytes = 32 << 20;
    public const int TrimThresholdBytes = 512 << 20;
    public const int TopPadBytes = 16 << 20;

    static readonly object Gate = new();
    static bool? applied;

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int parameter, int value);

    /// <summary>Applies the settings once per process; true when glibc accepted them.</summary>
    public static bool KeepFreedMemoryForReuse()
    {
        lock (Gate)
        {
            if (applied is { } done) return done;
            try
            {
                applied = OperatingSystem.IsLinux()
                    && Mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes) == 1
                    & Mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) == 1
                    & Mallopt(M_TOP_PAD, TopPadBytes) == 1;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                applied = false;
            }
            return applied.Value;
        }
    }
}
