// Inspection API for the analysis of MI-DPG (paper section 3.5.2: t-SNE of the generated weighting
// matrices per scenario, similarity between scenarios). For a batch, or a whole split in chunks, it
// returns per modulated layer the generated scenario-conditioned matrices (the d_r x d_c core
// A = sigmoid(S_R S_C), and the full S = psi(A) on request) together with each sample's scenario,
// label and predicted probability, as CPU tensors and as DataFrames (Microsoft.Data.Analysis).
using Microsoft.Data.Analysis;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Models;

/// <summary>How far the generated cores of a layer separate scenarios: mean cosine similarity of pairs of
/// samples from the same scenario (<see cref="Within"/>) and from different scenarios (<see cref="Between"/>).</summary>
public sealed record CoreSeparation(int Layer, double Within, double Between)
{
    /// <summary>Within − Between: larger means cores are more scenario-specific.</summary>
    public double Gap => Within - Between;
}

/// <summary>The matrices one modulated layer generated for N samples (CPU, detached).</summary>
/// <param name="Layer">1-based hidden-layer number.</param>
/// <param name="Core">[N, d_r, d_c] (Non: [N, d_m, d_n], the full S).</param>
/// <param name="Full">[N, d_m, d_n] = psi(core), only when requested.</param>
public sealed record LayerMatrices(int Layer, LayerGeometry Geometry, Tensor Core, Tensor? Full);

/// <summary>Inspection of N samples: per modulated layer the generated matrices, and per sample its scenario,
/// label (NaN where none was given) and predicted probability. All tensors are on the CPU.</summary>
public sealed class WeightingMatrixInspection : IDisposable
{
    public IReadOnlyList<LayerMatrices> Layers { get; }
    public Tensor Scenario { get; }      // int64 [N]
    public Tensor Labels { get; }        // float32 [N]
    public Tensor Predictions { get; }   // float32 [N], sigmoid(logit)

    public long SampleCount => Scenario.shape[0];

    public WeightingMatrixInspection(IReadOnlyList<LayerMatrices> layers, Tensor scenario, Tensor labels, Tensor predictions)
    {
        Layers = layers;
        Scenario = scenario;
        Labels = labels;
        Predictions = predictions;
    }

    /// <summary>The matrices of hidden layer <paramref name="layer"/> (1-based).</summary>
    public LayerMatrices Layer(int layer) =>
        Layers.FirstOrDefault(l => l.Layer == layer)
        ?? throw new ArgumentException($"layer {layer} is not modulated; modulated layers: {string.Join(", ", Layers.Select(l => l.Layer))}");

    /// <summary>
    /// One row per sample: "sample", "scenario", "label", "prediction", then one column per entry of the core
    /// ("a_{r}_{c}", row-major) or, with <paramref name="full"/>, of S ("s_{i}_{j}"; needs includeFull at inspection).
    /// </summary>
    public DataFrame ToDataFrame(int layer, bool full = false)
    {
        var matrices = Layer(layer);
        var source = full
            ? matrices.Full ?? throw new InvalidOperationException("the full S was not kept: inspect with includeFull = true")
            : matrices.Core;
        var n = (int)SampleCount;
        var rows = (int)source.shape[1];
        var cols = (int)source.shape[2];
        var prefix = full ? "s" : "a";
        var values = source.reshape(n, rows * cols).contiguous().data<float>().ToArray();
        var columns = new List<DataFrameColumn>
        {
            new PrimitiveDataFrameColumn<long>("sample", Enumerable.Range(0, n).Select(i => (long)i)),
            new PrimitiveDataFrameColumn<long>("scenario", Scenario.data<long>().ToArray()),
            new PrimitiveDataFrameColumn<float>("label", Labels.data<float>().ToArray()),
            new PrimitiveDataFrameColumn<float>("prediction", Predictions.data<float>().ToArray()),
        };
        var width = rows * cols;
        for (var k = 0; k < width; k++)
        {
            var column = new float[n];
            for (var i = 0; i < n; i++) column[i] = values[i * width + k];
            columns.Add(new PrimitiveDataFrameColumn<float>($"{prefix}_{k / cols}_{k % cols}", column));
        }
        return new DataFrame(columns);
    }

    /// <summary>
    /// Mean within-scenario and between-scenario cosine similarity of the flattened cores of <paramref name="layer"/>,
    /// over all pairs of distinct samples. With <paramref name="centred"/> (default) the mean core over all samples
    /// is subtracted first: sigmoid outputs are all positive, so uncentred cosines sit near 1 for every pair.
    /// Uses N x N similarities: inspect at most a few thousand samples.
    /// </summary>
    public CoreSeparation ScenarioSeparation(int layer, bool centred = true)
    {
        using var scope = NewDisposeScope();
        var n = SampleCount;
        if (n < 2) throw new InvalidOperationException("ScenarioSeparation needs at least 2 samples.");
        var x = Layer(layer).Core.reshape(n, -1).to_type(ScalarType.Float64);
        if (centred) x = x - x.mean([0], keepdim: true);
        x = torch.nn.functional.normalize(x, p: 2, dim: 1);
        var cos = x.matmul(x.t());
        var same = Scenario.unsqueeze(1).eq(Scenario.unsqueeze(0));
        var offDiagonal = eye(n, dtype: ScalarType.Bool).logical_not();
        var withinMask = same.logical_and(offDiagonal);
        var betweenMask = same.logical_not();
        double Mean(Tensor mask) => mask.sum().item<long>() == 0 ? double.NaN : cos.masked_select(mask).mean().item<double>();
        return new CoreSeparation(layer, Mean(withinMask), Mean(betweenMask));
    }

    public void Dispose()
    {
        foreach (var l in Layers) { l.Core.Dispose(); l.Full?.Dispose(); }
        Scenario.Dispose();
        Labels.Dispose();
        Predictions.Dispose();
    }
}

/// <summary>Runs a DPG / MI-DPG model in inference mode and collects its generated matrices.</summary>
public static class WeightingMatrixInspector
{
    /// <summary>Inspects one batch. <paramref name="labels"/> may be null (labels become NaN).</summary>
    public static WeightingMatrixInspection Inspect(DpgModel model, ModelInput input, Tensor? labels = null, bool includeFull = false) =>
        InspectBatches(model, [(input, labels)], includeFull);

    /// <summary>Inspects a whole split given as tensors, <paramref name="chunkSize"/> samples at a time.</summary>
    public static WeightingMatrixInspection InspectSplit(DpgModel model, ModelInput split, Tensor? labels = null, int chunkSize = 4096, bool includeFull = false)
    {
        if (chunkSize < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunkSize must be >= 1");
        return InspectBatches(model, Chunks(split, labels, chunkSize), includeFull);
    }

    /// <summary>Inspects a sequence of batches (e.g. a data loader over a split) and concatenates the results.</summary>
    public static WeightingMatrixInspection InspectBatches(DpgModel model, IEnumerable<(ModelInput Input, Tensor? Labels)> batches, bool includeFull = false)
    {
        var wasTraining = model.training;
        model.eval();
        var layerCount = model.WeightingLayers.Count;
        var cores = Enumerable.Range(0, layerCount).Select(_ => new List<Tensor>()).ToArray();
        var fulls = Enumerable.Range(0, layerCount).Select(_ => new List<Tensor>()).ToArray();
        var scenarios = new List<Tensor>();
        var labelList = new List<Tensor>();
        var predictions = new List<Tensor>();
        var device = model.Device;
        try
        {
            using var _ = no_grad(); // not inference_mode: the results must stay usable in ordinary ops afterwards
            foreach (var (batchInput, batchLabels) in batches)
            {
                using var scope = NewDisposeScope();
                var input = batchInput.To(device);
                var run = model.Run(input);
                for (var l = 0; l < layerCount; l++)
                {
                    cores[l].Add(Keep(run.Cores[l]));
                    if (includeFull) fulls[l].Add(Keep(model.WeightingLayers[l].Materialise(run.Cores[l])));
                }
                scenarios.Add(Keep(input.Scenario.to_type(ScalarType.Int64)));
                labelList.Add(Keep(batchLabels?.to_type(ScalarType.Float32) ?? full(input.BatchSize, float.NaN)));
                predictions.Add(Keep(run.Logits.sigmoid()));
            }
            var layers = new List<LayerMatrices>(layerCount);
            for (var l = 0; l < layerCount; l++)
                layers.Add(new LayerMatrices(model.ModulatedLayerNumbers[l], model.WeightingLayers[l].Geometry,
                    Concat(cores[l]), includeFull ? Concat(fulls[l]) : null));
            return new WeightingMatrixInspection(layers, Concat(scenarios), Concat(labelList), Concat(predictions));
        }
        finally
        {
            foreach (var t in cores.SelectMany(x => x).Concat(fulls.SelectMany(x => x)).Concat(scenarios).Concat(labelList).Concat(predictions))
                t.Dispose();
            model.train(wasTraining);
        }
    }

    private static Tensor Keep(Tensor t) => t.detach().cpu().clone().MoveToOuterDisposeScope();

    private static Tensor Concat(List<Tensor> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("nothing to inspect: no batches were given");
        return cat(parts, 0);
    }

    private static IEnumerable<(ModelInput, Tensor?)> Chunks(ModelInput split, Tensor? labels, int chunkSize)
    {
        var n = split.BatchSize;
        for (long start = 0; start < n; start += chunkSize)
        {
            var length = Math.Min(chunkSize, n - start);
            yield return (split.Slice(start, length), labels?.narrow(0, start, length));
        }
    }
}
