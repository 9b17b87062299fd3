using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Data;

/// <summary>
/// One mini-batch as TorchSharp tensors: <see cref="Categorical"/> int64 (B x F), <see cref="Numeric"/>
/// float32 (B x N, N may be 0), <see cref="Label"/> float32 (B), <see cref="Scenario"/> int64 (B).
/// The batch owns its tensors: dispose it (or create it inside a <c>torch.NewDisposeScope()</c>).
/// </summary>
public sealed record Batch(Tensor Categorical, Tensor Numeric, Tensor Label, Tensor Scenario) : IDisposable
{
    /// <summary>Number of rows B.</summary>
    public int Size => (int)Label.shape[0];

    public void Dispose()
    {
        Categorical.Dispose();
        Numeric.Dispose();
        Label.Dispose();
        Scenario.Dispose();
    }
}
