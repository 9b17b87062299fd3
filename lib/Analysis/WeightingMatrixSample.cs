// Issue 7, item 4: a stratified sample of the weighting matrices a DPG / MI-DPG model generates.
// N rows per scenario are drawn from a split (seeded), run through the inspection API
// (WeightingMatrixInspector), and each modulated layer's core A [n, d_r, d_c] is flattened to
// [n, d_r·d_c]; "combined" is the concatenation over the layers. The analyses (MatrixTsne,
// ScenarioSimilarity, MatrixStatistics, MatrixExport) all start from this object.
using MiDpg.Research.Data;
using MiDpg.Research.Models;
using MiDpg.Research.Training;
using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

/// <summary>One modulated layer's cores, flattened row-major: <c>Values[i, r·d_c + c] = A_i[r, c]</c>.</summary>
/// <param name="Layer">1-based hidden-layer number.</param>
/// <param name="Repeat">psi's layout (how the core maps onto S = psi(A)).</param>
public sealed record MatrixLayerSample(int Layer, LayerGeometry Geometry, RepeatMode Repeat, float[,] Values)
{
    /// <summary>d_r · d_c, the width of <see cref="Values"/>.</summary>
    public int Width => Values.GetLength(1);

    /// <summary>Name used in tables and charts: "layer 1", ...</summary>
    public string Name => $"layer {Layer}";
}

/// <summary>
/// Generated matrices of n samples (CPU arrays): per layer the flattened cores, and per sample its row in the
/// split, scenario, label and predicted probability.
/// </summary>
public sealed class WeightingMatrixSample
{
    /// <summary>Name of the combined view (all layers concatenated) in tables and charts.</summary>
    public const string CombinedName = "combined";

    public string Model { get; }
    public IReadOnlyList<MatrixLayerSample> Layers { get; }
    public int[] Rows { get; }
    public int[] Scenario { get; }
    public float[] Labels { get; }
    public float[] Predictions { get; }
    public IReadOnlyList<string> ScenarioNames { get; }

    public int Count => Scenario.Length;
    public int ScenarioCount => ScenarioNames.Count;

    /// <summary>"layer 1", ..., then "combined".</summary>
    public IReadOnlyList<string> ViewNames => [.. Layers.Select(l => l.Name), CombinedName];

    public WeightingMatrixSample(string model, IReadOnlyList<MatrixLayerSample> layers, int[] rows, int[] scenario,
        float[] labels, float[] predictions, IReadOnlyList<string> scenarioNames)
    {
        if (layers.Count == 0) throw new ArgumentException("a sample needs at least one modulated layer", nameof(layers));
        var n = scenario.Length;
        if (rows.Length != n || labels.Length != n || predictions.Length != n || layers.Any(l => l.Values.GetLength(0) != n))
            throw new ArgumentException($"inconsistent sample sizes: {n} scenarios, {rows.Length} rows, {labels.Length} labels, " +
                                        $"{predictions.Length} predictions, layers {string.Join("/", layers.Select(l => l.Values.GetLength(0)))}");
        if (scenario.Any(s => s < 0 || s >= scenarioNames.Count))
            throw new ArgumentException($"scenario ids must lie in 0..{scenarioNames.Count - 1}");
        Model = model;
        Layers = layers;
        Rows = rows;
        Scenario = scenario;
        Labels = labels;
        Predictions = predictions;
        ScenarioNames = scenarioNames;
    }

    /// <summary>The layer with 1-based number <paramref name="layer"/>.</summary>
    public MatrixLayerSample Layer(int layer) =>
        Layers.FirstOrDefault(l => l.Layer == layer)
        ?? throw new ArgumentException($"layer {layer} is not modulated; modulated layers: {string.Join(", ", Layers.Select(l => l.Layer))}");

    /// <summary>The features of one layer, or (null) of all layers concatenated: [n, width].</summary>
    public float[,] Features(int? layer = null)
    {
        if (layer is int l) return Layer(l).Values;
        if (Layers.Count == 1) return Layers[0].Values;
        var width = Layers.Sum(x => x.Width);
        var result = new float[Count, width];
        var offset = 0;
        foreach (var x in Layers)
        {
            for (var i = 0; i < Count; i++)
                for (var k = 0; k < x.Width; k++) result[i, offset + k] = x.Values[i, k];
            offset += x.Width;
        }
        return result;
    }

    /// <summary>The view name of <paramref name="layer"/> (null = combined).</summary>
    public static string ViewName(int? layer) => layer is int l ? $"layer {l}" : CombinedName;

    /// <summary>Hover text per sample: its row in the inspected split (to find it again), scenario, label, prediction, layer (view).</summary>
    public string[] HoverText(int? layer = null)
    {
        var view = ViewName(layer);
        return Enumerable.Range(0, Count).Select(i =>
            $"row {Rows[i]}<br>scenario {ScenarioNames[Scenario[i]]}<br>label {(float.IsNaN(Labels[i]) ? "?" : Labels[i].ToString("0"))}" +
            $"<br>p̂ {Predictions[i]:0.000}<br>{Model}, {view}").ToArray();
    }

    /// <summary>
    /// Up to <paramref name="perScenario"/> row indices per scenario, drawn without replacement (seeded); all rows of a
    /// scenario with fewer; null = every row. Rows are returned grouped by scenario, ascending within each.
    /// </summary>
    public static int[] StratifiedRows(int[] scenario, int scenarioCount, int? perScenario, int seed = 0)
    {
        if (perScenario is < 1) throw new ArgumentOutOfRangeException(nameof(perScenario), perScenario, "perScenario must be >= 1 (or null for all rows)");
        var byScenario = Enumerable.Range(0, scenarioCount).Select(_ => new List<int>()).ToArray();
        for (var r = 0; r < scenario.Length; r++) byScenario[scenario[r]].Add(r);
        var rows = new List<int>();
        for (var s = 0; s < scenarioCount; s++)
        {
            var pool = byScenario[s].ToArray();
            if (perScenario is int k && pool.Length > k)
            {
                new Random(HashCode.Combine(seed, s, 7919)).Shuffle(pool);
                pool = pool[..k];
                Array.Sort(pool);
            }
            rows.AddRange(pool);
        }
        return rows.ToArray();
    }

    /// <summary>
    /// Draws <paramref name="perScenario"/> rows per scenario of <paramref name="split"/> (null = all rows) and collects
    /// the matrices <paramref name="model"/> generates for them, <paramref name="chunkSize"/> rows at a time.
    /// </summary>
    public static WeightingMatrixSample Draw(DpgModel model, EncodedDataset split, int? perScenario, int seed = 0, int chunkSize = 4096, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(split);
        var rows = StratifiedRows(split.Scenario, split.ScenarioCount, perScenario, seed);
        if (rows.Length == 0) throw new ArgumentException($"split '{split.Name}' has no rows to sample");
        var iterator = new BatchIterator(split, new BatchOptions { BatchSize = Math.Min(chunkSize, rows.Length), Shuffle = false });
        using var inspection = WeightingMatrixInspector.InspectBatches(model, Batches(iterator, rows, chunkSize));
        return FromInspection(inspection, split.ScenarioNames, model.DpgConfig.Repeat, name ?? model.Kind, rows);
    }

    static IEnumerable<(ModelInput, TorchSharp.torch.Tensor?)> Batches(BatchIterator iterator, int[] rows, int chunkSize)
    {
        for (var start = 0; start < rows.Length; start += chunkSize)
        {
            using var batch = iterator.Gather(rows.AsSpan(start, Math.Min(chunkSize, rows.Length - start)));
            yield return (ModelData.Input(batch), batch.Label);
        }
    }

    /// <summary>A sample from an inspection (e.g. of a hand-made batch); <paramref name="rows"/> defaults to 0..n−1.</summary>
    public static WeightingMatrixSample FromInspection(WeightingMatrixInspection inspection, IReadOnlyList<string> scenarioNames,
        RepeatMode repeat = RepeatMode.Tile, string model = "model", int[]? rows = null)
    {
        var n = (int)inspection.SampleCount;
        var layers = inspection.Layers.Select(l =>
        {
            var width = (int)(l.Core.shape[1] * l.Core.shape[2]);
            var flat = l.Core.reshape(n, width).to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
            var values = new float[n, width];
            Buffer.BlockCopy(flat, 0, values, 0, flat.Length * sizeof(float));
            return new MatrixLayerSample(l.Layer, l.Geometry, repeat, values);
        }).ToList();
        return new WeightingMatrixSample(model, layers, rows ?? Enumerable.Range(0, n).ToArray(),
            inspection.Scenario.data<long>().ToArray().Select(s => (int)s).ToArray(),
            inspection.Labels.data<float>().ToArray(), inspection.Predictions.data<float>().ToArray(), scenarioNames);
    }
}
