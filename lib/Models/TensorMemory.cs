// Raw access to a CPU tensor's memory for the hand-written kernels (FusedDwm, the Adam kernel of LazyAdam).
// TorchSharp 0.107 exposes no data pointer publicly; its own P/Invoke entry THSTensor_data is bound once by reflection.
using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Models;

/// <summary>The address of a tensor's first element, for kernels over contiguous CPU tensors.</summary>
public static unsafe class TensorMemory
{
    static readonly Func<IntPtr, IntPtr> DataPointer = (Func<IntPtr, IntPtr>)(typeof(Tensor).Assembly
        .GetType("TorchSharp.PInvoke.NativeMethods")?.GetMethod("THSTensor_data", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
        ?.CreateDelegate(typeof(Func<IntPtr, IntPtr>))
        ?? throw new PlatformNotSupportedException("TorchSharp.PInvoke.NativeMethods.THSTensor_data was not found in this TorchSharp version."));

    /// <summary>Whether <paramref name="t"/> is a contiguous float32 tensor on the CPU (what the kernels read and write).</summary>
    public static bool IsCpuFloat32(Tensor t) => t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32 && t.is_contiguous();

    /// <summary>The first element of a contiguous float32 CPU tensor (null for null). The tensor must stay alive and
    /// unmoved while the pointer is used.</summary>
    public static float* Floats(Tensor? t)
    {
        if (t is null) return null;
        if (!IsCpuFloat32(t)) throw new ArgumentException($"A kernel needs a contiguous float32 CPU tensor; got [{string.Join(", ", t.shape)}] {t.dtype} on {t.device}.");
        return (float*)DataPointer(t.Handle);
    }

    /// <summary>The first element of a contiguous int64 CPU tensor (indices).</summary>
    public static long* Longs(Tensor t)
    {
        if (t.device_type != DeviceType.CPU || t.dtype != ScalarType.Int64 || !t.is_contiguous())
            throw new ArgumentException($"A kernel needs a contiguous int64 CPU tensor; got [{string.Join(", ", t.shape)}] {t.dtype} on {t.device}.");
        return (long*)DataPointer(t.Handle);
    }
}
