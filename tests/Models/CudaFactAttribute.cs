using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Models;

/// <summary>A fact that is reported as skipped where no CUDA device is available.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!cuda.is_available()) Skip = "CUDA is not available on this machine";
    }
}
