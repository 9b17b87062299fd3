// Shared multi-layer perceptron (MODELS.md "Backbone": fully connected 128-64-32 with ReLU, then a
// linear layer to one logit). Every model composes this block rather than carrying its own MLP;
// the generators and discriminators of MI-DPG are one-hidden-layer instances of it.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models;

/// <summary>
/// Linear -> ReLU (-> Dropout) per hidden size, then an optional linear output layer without activation.
/// Linear layers keep TorchSharp's (= PyTorch's) default initialisation: Kaiming-uniform(a = sqrt 5)
/// weights, uniform(+-1/sqrt(fan_in)) biases.
/// </summary>
public sealed class Mlp : Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> layers;
    private readonly Linear? output;
    private readonly double dropout;

    public int InputDim { get; }
    public int OutputDim { get; }

    /// <param name="inputDim">Input width.</param>
    /// <param name="hiddenSizes">Hidden widths, each followed by ReLU.</param>
    /// <param name="outputDim">Width of a final linear layer without activation; null = none (output is the last hidden layer).</param>
    /// <param name="dropout">Dropout after each hidden ReLU (0 = none).</param>
    public Mlp(int inputDim, IReadOnlyList<int> hiddenSizes, int? outputDim = null, double dropout = 0.0, Device? device = null)
        : base(nameof(Mlp))
    {
        InputDim = inputDim;
        this.dropout = dropout;
        layers = new ModuleList<Linear>();
        var width = inputDim;
        foreach (var h in hiddenSizes) { layers.Add(Linear(width, h)); width = h; }
        if (outputDim is { } o) { output = Linear(width, o); width = o; }
        OutputDim = width;
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    /// <summary>Dropout probability after each hidden ReLU (0 = none).</summary>
    public double Dropout => dropout;

    /// <summary>The final linear layer (null when there is none), e.g. to rescale its initialisation.</summary>
    public Linear? OutputLayer => output;

    /// <summary>The hidden linear layers, in order (empty when there are none).</summary>
    public IReadOnlyList<Linear> HiddenLayers => layers.ToArray();

    public override Tensor forward(Tensor x)
    {
        if (layers.Count == 0) return output is null ? x : output.call(x);
        return ForwardFromFirstHidden(layers[0].call(x));
    }

    /// <summary>The network from the first hidden layer's pre-activation x W1^T + b1 on (ReLU, dropout, the
    /// remaining layers), for callers that compute that product themselves, e.g. split over input blocks
    /// shared between several evaluations (the MIR's positive and negative pairs).</summary>
    public Tensor ForwardFromFirstHidden(Tensor firstPreActivation)
    {
        if (layers.Count == 0) throw new InvalidOperationException("This Mlp has no hidden layer.");
        var x = firstPreActivation;
        for (var i = 0; i < layers.Count; i++)
        {
            if (i > 0) x = layers[i].call(x);
            x = functional.relu(x);
            if (dropout > 0) x = functional.dropout(x, dropout, training);
        }
        return output is null ? x : output.call(x);
    }
}
