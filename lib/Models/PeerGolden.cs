// The golden check of the math: the library's DNN, DPG-R and MI-DPG-R against an independent PyTorch implementation
// written from the paper (shared/bench/midpg_ref.py, "the peer"), on the same weights, the same batch and the same MIR
// permutation. Both sides compute the loss terms of eq. 8 (BCE and L_mi of eq. 6, averaged over the modulated layers),
// the logits, and the gradient of the total loss with respect to every parameter; the check compares them.
//
// The exchange is the peer's file layout (its module doc): DIR/meta.json, DIR/params/NAME.npy (float32, the peer's
// names and shapes), DIR/batch/{ag,aw,y,perm}.npy, and the peer's answer in DIR/peer/{loss.json, logits.npy,
// grads/NAME.npy} (float64). Where the library differs from the peer by design, a case sets the library to the
// peer's choice (listed in lib/Models/README.md, "The golden check"):
//   - eq. 8's reading: the peer adds a batch-mean BCE and lambda L_mi, i.e. BceReduction.Mean (our default since issue 16; the case sets it explicitly);
//   - embedding storage: ours is one stacked table with each field's row 0 reserved for unknown ids; the peer has one
//     table per field. Field f's rows of our table are exported as the peer's table, row 0 included, so ids agree;
//   - field order: the peer's input is [e_ag, e_aw] with the fields of each group in order; ours builds the same
//     h1 = [e_ag, e_aw] from any field order, so a case deliberately interleaves aware and agnostic fields;
//   - geometry: d_r = d_m / r_div exactly (Rounding = Exact), tiled psi, GateScale 1, every hidden layer modulated,
//     no numeric fields; the MIR's gradient reaches the backbone (MirGradientToBackbone, as plain autograd does there).
// Initialisation plays no part: the weights are copied.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiDpg.Research.Data;
using MiDpg.Research.Models.Baselines;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Models;

/// <summary>One golden case: a model the peer implements, at small sizes (the peer's meta.json).</summary>
public sealed record PeerCase
{
    /// <summary>The peer's model names.</summary>
    public static readonly IReadOnlyList<string> Models = ["dnn", "dpg-r", "midpg-r"];

    public string Model { get; init; } = "midpg-r";
    /// <summary>Rows of each scenario-agnostic table (row 0 included).</summary>
    public IReadOnlyList<long> VocabAgnostic { get; init; } = [40, 25, 12, 7];
    /// <summary>Rows of each scenario-aware table (the first is the scenario).</summary>
    public IReadOnlyList<long> VocabAware { get; init; } = [5, 11];
    public int Emb { get; init; } = 4;
    public IReadOnlyList<int> Hidden { get; init; } = [16, 8, 4];
    public int RowDivisor { get; init; } = 2;
    public int RankK { get; init; } = 2;
    public int ColumnDivisor { get; init; } = 2;
    public int GeneratorHidden { get; init; } = 8;
    public int DiscriminatorHidden { get; init; } = 8;
    public double Lambda { get; init; } = 1.0;

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!Models.Contains(Model)) problems.Add($"model must be one of {string.Join(", ", Models)}; got '{Model}'");
        if (VocabAware.Count == 0) problems.Add("the peer needs at least one scenario-aware field");
        if (VocabAgnostic.Concat(VocabAware).Any(v => v < 2)) problems.Add("every table needs at least 2 rows");
        return problems;
    }

    /// <summary>Our fields, aware and agnostic interleaved (aware_0, agnostic_0, aware_1, agnostic_1, ...), so the check
    /// also covers the mapping from our field order to the peer's [e_ag, e_aw].</summary>
    public FeatureSpec Features()
    {
        var fields = new List<FieldSpec>();
        foreach (var (aware, index) in FieldOrder())
            fields.Add(aware ? new FieldSpec(index == 0 ? "scenario" : $"aware{index}", VocabAware[index], true)
                             : new FieldSpec($"agnostic{index}", VocabAgnostic[index], false));
        return new FeatureSpec(fields, 0, (int)VocabAware[0]);
    }

    /// <summary>Our field f is the peer's (aware?, index within its group).</summary>
    public IReadOnlyList<(bool Aware, int Index)> FieldOrder()
    {
        var order = new List<(bool, int)>();
        for (var k = 0; k < Math.Max(VocabAware.Count, VocabAgnostic.Count); k++)
        {
            if (k < VocabAware.Count) order.Add((true, k));
            if (k < VocabAgnostic.Count) order.Add((false, k));
        }
        return order;
    }

    /// <summary>The library's model with every setting the peer fixes set to the peer's choice.</summary>
    public ScenarioModel Build()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException("Invalid golden case: " + string.Join("; ", problems));
        var features = Features();
        if (Model == "dnn") return new DnnModel(features, new DnnConfig { EmbeddingDim = Emb, HiddenSizes = Hidden.ToArray() });
        return new DpgModel(features, new DpgConfig
        {
            EmbeddingDim = Emb,
            HiddenSizes = Hidden.ToArray(),
            Variant = DwmVariant.R,
            RowDivisor = RowDivisor,
            ColumnDivisor = ColumnDivisor,
            Rounding = DivisorRounding.Exact,
            RankK = RankK,
            Repeat = RepeatMode.Tile,
            GateScale = 1.0,
            GeneratorHidden = GeneratorHidden,
            DiscriminatorHidden = DiscriminatorHidden,
            UseMir = Model == "midpg-r",
            Lambda = Lambda,
            BceReduction = BceReduction.Mean,
            MirGradientToBackbone = true,
            DetachGeneratorInput = false,
        });
    }

    public string ToMetaJson() => new JsonObject
    {
        ["model"] = Model,
        ["vocab_ag"] = new JsonArray(VocabAgnostic.Select(v => (JsonNode)v).ToArray()),
        ["vocab_aw"] = new JsonArray(VocabAware.Select(v => (JsonNode)v).ToArray()),
        ["emb"] = Emb,
        ["hidden"] = new JsonArray(Hidden.Select(v => (JsonNode)v).ToArray()),
        ["r_div"] = RowDivisor,
        ["d_k"] = RankK,
        ["c_div"] = ColumnDivisor,
        ["gen_hidden"] = GeneratorHidden,
        ["disc_hidden"] = DiscriminatorHidden,
        ["lambda"] = Lambda,
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public static PeerCase FromMetaJson(string path)
    {
        var meta = JsonNode.Parse(File.ReadAllText(path)) ?? throw new DataFormatException(path, 0, null, 0, "empty meta.json");
        T Get<T>(string key, T fallback) => meta[key] is { } node ? node.GetValue<T>() : fallback;
        long[] Longs(string key) => meta[key]?.AsArray().Select(n => n!.GetValue<long>()).ToArray()
                                   ?? throw new DataFormatException(path, 0, key, 0, $"meta.json lacks '{key}'");
        var defaults = new PeerCase();
        return new PeerCase
        {
            Model = meta["model"]?.GetValue<string>() ?? throw new DataFormatException(path, 0, "model", 0, "meta.json lacks 'model'"),
            VocabAgnostic = Longs("vocab_ag"),
            VocabAware = Longs("vocab_aw"),
            Emb = Get("emb", 16),
            Hidden = meta["hidden"]?.AsArray().Select(n => n!.GetValue<int>()).ToArray() ?? [128, 64, 32],
            RowDivisor = Get("r_div", 4),
            RankK = Get("d_k", 2),
            ColumnDivisor = Get("c_div", 4),
            GeneratorHidden = Get("gen_hidden", 64),
            DiscriminatorHidden = Get("disc_hidden", 64),
            Lambda = Get("lambda", defaults.Lambda),
        };
    }
}

/// <summary>A batch in the peer's layout: ids of the agnostic [B, F_ag] and aware [B, F_aw] fields, labels, and the
/// MIR's permutation pi (negative pair i takes e_aw of row pi(i), the same pi for every layer).</summary>
public sealed record PeerBatch(int Rows, long[] Agnostic, long[] Aware, float[] Labels, long[] Permutation)
{
    /// <summary>Ids drawn uniformly from each table (row 0 included), labels 0/1, pi a uniform permutation.</summary>
    public static PeerBatch Random(PeerCase c, int rows, int seed)
    {
        var random = new System.Random(seed);
        var ag = new long[rows * c.VocabAgnostic.Count];
        var aw = new long[rows * c.VocabAware.Count];
        for (var r = 0; r < rows; r++)
        {
            for (var f = 0; f < c.VocabAgnostic.Count; f++) ag[r * c.VocabAgnostic.Count + f] = random.NextInt64(c.VocabAgnostic[f]);
            for (var f = 0; f < c.VocabAware.Count; f++) aw[r * c.VocabAware.Count + f] = random.NextInt64(c.VocabAware[f]);
        }
        var labels = Enumerable.Range(0, rows).Select(_ => (float)random.Next(2)).ToArray();
        var permutation = Enumerable.Range(0, rows).Select(i => (long)i).ToArray();
        random.Shuffle(permutation);
        return new PeerBatch(rows, ag, aw, labels, permutation);
    }

    /// <summary>The batch as the library's models take it (categorical columns in our field order).</summary>
    public (ModelInput Input, Tensor Labels, Tensor Permutation) ToModelInput(PeerCase c)
    {
        var order = c.FieldOrder();
        var categorical = new long[Rows * order.Count];
        for (var r = 0; r < Rows; r++)
            for (var f = 0; f < order.Count; f++)
            {
                var (aware, index) = order[f];
                categorical[r * order.Count + f] = aware ? Aware[r * c.VocabAware.Count + index] : Agnostic[r * c.VocabAgnostic.Count + index];
            }
        var ids = tensor(categorical, [Rows, order.Count]);
        var scenario = tensor(Enumerable.Range(0, Rows).Select(r => Aware[r * c.VocabAware.Count]).ToArray());
        return (new ModelInput(ids, null, scenario), tensor(Labels), tensor(Permutation));
    }

    public void Write(string dir, PeerCase c)
    {
        Directory.CreateDirectory(dir);
        Npy.Write(Path.Combine(dir, "ag.npy"), Agnostic, Rows, c.VocabAgnostic.Count);
        Npy.Write(Path.Combine(dir, "aw.npy"), Aware, Rows, c.VocabAware.Count);
        Npy.Write(Path.Combine(dir, "y.npy"), Labels, Rows);
        if (c.Model == "midpg-r") Npy.Write(Path.Combine(dir, "perm.npy"), Permutation, Rows);
    }

    public static PeerBatch Read(string dir, PeerCase c)
    {
        var ag = Npy.Read(Path.Combine(dir, "ag.npy"));
        var aw = Npy.Read(Path.Combine(dir, "aw.npy"));
        var y = Npy.Read(Path.Combine(dir, "y.npy"));
        var rows = (int)y.Count;
        var permPath = Path.Combine(dir, "perm.npy");
        var perm = File.Exists(permPath) ? Npy.Read(permPath).AsInt64(permPath) : Enumerable.Range(0, rows).Select(i => (long)i).ToArray();
        var labels = Array.ConvertAll(y.AsDoubles(), v => (float)v);
        var batch = new PeerBatch(rows, ag.AsInt64(Path.Combine(dir, "ag.npy")), aw.AsInt64(Path.Combine(dir, "aw.npy")), labels, perm);
        if (batch.Agnostic.Length != rows * c.VocabAgnostic.Count || batch.Aware.Length != rows * c.VocabAware.Count || perm.Length != rows)
            throw new DataFormatException(dir, 0, null, 0, $"the batch files disagree with meta.json ({rows} rows, {c.VocabAgnostic.Count} agnostic and {c.VocabAware.Count} aware fields)");
        return batch;
    }
}

/// <summary>What one side computes on a golden case: loss terms, logits, gradients by the peer's parameter names.</summary>
public sealed record GoldenValues(double Bce, double Mi, double Total, double[] Logits, IReadOnlyDictionary<string, double[]> Gradients);

/// <summary>The relative error of one compared quantity: max |ours - peer| / max |peer|.</summary>
public sealed record GoldenDifference(string Name, double RelativeError, double MaxAbsPeer);

/// <summary>Export, import, evaluation and comparison of golden cases against the PyTorch peer.</summary>
public static class PeerGolden
{
    /// <summary>Largest relative error accepted when our model computes in float64 (the peer always does).</summary>
    public const double Float64Tolerance = 1e-6;

    /// <summary>Largest relative error accepted when our model computes in float32.</summary>
    public const double Float32Tolerance = 1e-4;

    /// <summary>Our parameters as the peer names and lays them out: (peer name, our tensor in the peer's shape, its gradient).
    /// Every scalar parameter of the model is covered exactly once (checked).</summary>
    public static IReadOnlyList<(string Peer, Tensor Value, Func<Tensor?> Gradient)> Parameters(ScenarioModel model, PeerCase c)
    {
        var ours = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        TorchSharp.Modules.Parameter Ours(string name) => ours.TryGetValue(name, out var p) ? p
            : throw new InvalidOperationException($"the model has no parameter '{name}'; it has: {string.Join(", ", ours.Keys)}");
        var map = new List<(string, Tensor, Func<Tensor?>)>();

        // Embedding tables: field f of ours is rows [offset_f, offset_f + V_f) of the stacked table.
        var table = Ours("embedding.table.weight");
        var order = c.FieldOrder();
        long offset = 0;
        foreach (var (aware, index) in order)
        {
            var rows = aware ? c.VocabAware[index] : c.VocabAgnostic[index];
            var start = offset;
            map.Add(($"{(aware ? "emb_aw" : "emb_ag")}.tables.{index}.weight", (Tensor)table.narrow(0, start, rows),
                () => table.grad is { } g ? (g.is_sparse ? g.to_dense() : g).narrow(0, start, rows) : null));
            offset += rows;
        }

        void Same(string peer, string name) { var p = Ours(name); map.Add((peer, p, () => p.grad)); }
        void Linear(string peer, string name) { Same($"{peer}.weight", $"{name}.weight"); Same($"{peer}.bias", $"{name}.bias"); }
        var layers = c.Hidden.Count;
        if (model is DnnModel)
        {
            for (var l = 0; l < layers; l++) Linear($"layers.{l}", $"backbone.layers.{l}");
            Linear("out", "backbone.output");
        }
        else
        {
            for (var l = 0; l < layers; l++)
            {
                Same($"layers.{l}.W", $"dwm.{l}.weight");                         // both [d_m, d_n], rows = inputs
                Same($"layers.{l}.b", $"dwm.{l}.bias");
                Linear($"layers.{l}.gen.0", $"dwm.{l}.generator_row.layers.0");   // [e_aw, h] -> hidden
                Linear($"layers.{l}.gen.2", $"dwm.{l}.generator_row.output");     // hidden -> d_r d_k
                Same($"layers.{l}.C", $"dwm.{l}.column_share");                   // C_share [d_k, d_c]
                if (c.Model == "midpg-r")
                {
                    Linear($"discs.{l}.net.0", $"mir.discriminators.{l}.layers.0"); // [e_aw, vec(A)] -> hidden
                    Linear($"discs.{l}.net.2", $"mir.discriminators.{l}.output");   // hidden -> 1
                }
            }
            Linear("out", "output");
        }
        var covered = map.Sum(m => m.Item2.numel());
        var total = ours.Values.Sum(p => p.numel());
        if (covered != total)
            throw new InvalidOperationException($"the peer's layout covers {covered} of the model's {total} parameters; the mapping is incomplete");
        return map;
    }

    /// <summary>Writes a case for the peer: meta.json, params/NAME.npy (float32) and batch/*.npy.</summary>
    public static void Export(ScenarioModel model, PeerCase c, PeerBatch batch, string dir)
    {
        Directory.CreateDirectory(Path.Combine(dir, "params"));
        File.WriteAllText(Path.Combine(dir, "meta.json"), c.ToMetaJson());
        foreach (var (peer, value, _) in Parameters(model, c))
        {
            using var values = value.detach().to_type(ScalarType.Float32).contiguous().cpu();
            Npy.Write(Path.Combine(dir, "params", peer + ".npy"), values.data<float>().ToArray(), values.shape);
        }
        batch.Write(Path.Combine(dir, "batch"), c);
    }

    /// <summary>Reads a case: our model in <paramref name="dtype"/> holding the case's weights, and its batch.</summary>
    public static (PeerCase Case, ScenarioModel Model, PeerBatch Batch) Import(string dir, ScalarType dtype = ScalarType.Float64)
    {
        var c = PeerCase.FromMetaJson(Path.Combine(dir, "meta.json"));
        var model = c.Build();
        model.to(dtype);
        using (no_grad())
            foreach (var (peer, value, _) in Parameters(model, c))
            {
                var path = Path.Combine(dir, "params", peer + ".npy");
                var array = Npy.Read(path);
                if (!array.Shape.SequenceEqual(value.shape))
                    throw new DataFormatException(path, 0, null, 0, $"shape ({string.Join(", ", array.Shape)}) where the model needs ({string.Join(", ", value.shape)})");
                value.copy_(tensor(array.AsDoubles(), array.Shape).to_type(dtype));
            }
        return (c, model, PeerBatch.Read(Path.Combine(dir, "batch"), c));
    }

    /// <summary>Loss terms, logits and gradients of the library's model on the batch. With <paramref name="shards"/> &gt; 1
    /// the batch is cut into that many row shards whose shard losses (<see cref="ScenarioModel.ShardLoss"/>, as the
    /// data-parallel trainer computes them) are back-propagated one after the other and summed.</summary>
    public static GoldenValues Evaluate(ScenarioModel model, PeerCase c, PeerBatch batch, int shards = 1)
    {
        using var scope = NewDisposeScope();
        var (input, labels, permutation) = batch.ToModelInput(c);
        labels = labels.to_type(model.parameters().First().dtype);
        model.train();
        model.zero_grad();
        double bce = 0, mi = 0, total = 0;
        var logits = new List<double>(batch.Rows);
        var randomness = c.Model == "midpg-r" ? permutation : null;
        var size = (batch.Rows + shards - 1) / shards;
        for (var start = 0; start < batch.Rows; start += size)
        {
            var length = Math.Min(size, batch.Rows - start);
            var output = shards == 1
                ? model is DpgModel dpg ? dpg.Loss(input, labels, randomness) : model.Loss(input, labels)
                : model.ShardLoss(input, labels, start, length, randomness);
            output.Total.backward();
            bce += output.Bce.to_type(ScalarType.Float64).item<double>();
            mi += output.AuxiliaryLoss is { } aux ? aux.to_type(ScalarType.Float64).item<double>() : 0;
            total += output.Total.to_type(ScalarType.Float64).item<double>();
            logits.AddRange(output.Logits.detach().to_type(ScalarType.Float64).data<double>().ToArray());
        }
        var gradients = Parameters(model, c).ToDictionary(p => p.Peer, p => p.Gradient() is { } g
            ? g.to_type(ScalarType.Float64).contiguous().data<double>().ToArray()
            : new double[p.Value.numel()]);
        return new GoldenValues(bce, mi, total, logits.ToArray(), gradients);
    }

    /// <summary>The peer's answer in DIR/peer (loss.json, logits.npy, grads/NAME.npy).</summary>
    public static GoldenValues ReadPeer(string dir)
    {
        var peer = Path.Combine(dir, "peer");
        var lossPath = Path.Combine(peer, "loss.json");
        if (!File.Exists(lossPath)) throw new DataFormatException(lossPath, 0, null, 0, "the peer's answer is missing (run the peer's golden mode on this folder)");
        var loss = JsonNode.Parse(File.ReadAllText(lossPath))!;
        var grads = Directory.GetFiles(Path.Combine(peer, "grads"), "*.npy")
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => Npy.Read(f).AsDoubles());
        return new GoldenValues(loss["bce"]!.GetValue<double>(), loss["mi"]!.GetValue<double>(), loss["total"]!.GetValue<double>(),
            Npy.Read(Path.Combine(peer, "logits.npy")).AsDoubles(), grads);
    }

    /// <summary>Every compared quantity: the three loss terms, the logits, and each parameter's gradient ("grad NAME").
    /// A gradient the peer has and we lack (or the other way round) is a difference of +infinity.</summary>
    public static IReadOnlyList<GoldenDifference> Compare(GoldenValues ours, GoldenValues peer)
    {
        var result = new List<GoldenDifference>
        {
            Difference("bce", [ours.Bce], [peer.Bce]),
            Difference("mi", [ours.Mi], [peer.Mi]),
            Difference("total", [ours.Total], [peer.Total]),
            Difference("logits", ours.Logits, peer.Logits),
        };
        foreach (var name in ours.Gradients.Keys.Union(peer.Gradients.Keys).Order(StringComparer.Ordinal))
            result.Add(ours.Gradients.TryGetValue(name, out var a) && peer.Gradients.TryGetValue(name, out var b)
                ? Difference($"grad {name}", a, b)
                : new GoldenDifference($"grad {name}", double.PositiveInfinity, double.NaN));
        return result;
    }

    private static GoldenDifference Difference(string name, double[] ours, double[] peer)
    {
        if (ours.Length != peer.Length) return new GoldenDifference(name, double.PositiveInfinity, double.NaN);
        double maxDiff = 0, maxPeer = 0;
        for (var i = 0; i < ours.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(ours[i] - peer[i]));
            maxPeer = Math.Max(maxPeer, Math.Abs(peer[i]));
        }
        if (double.IsNaN(maxDiff) || ours.Any(double.IsNaN)) return new GoldenDifference(name, double.NaN, maxPeer);
        // A quantity that is exactly 0 on the peer's side (DNN's L_mi) must be exactly 0 on ours.
        return new GoldenDifference(name, maxPeer == 0 ? (maxDiff == 0 ? 0 : double.PositiveInfinity) : maxDiff / maxPeer, maxPeer);
    }

    /// <summary>Runs the peer's golden mode on <paramref name="dir"/> (writes DIR/peer); throws with its stderr on failure.</summary>
    public static string RunPeer(string peerScript, string dir, string python = "/usr/bin/python3")
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(peerScript);
        start.ArgumentList.Add("golden");
        start.ArgumentList.Add(dir);
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"the peer ({python} {peerScript} golden {dir}) failed with exit code {process.ExitCode}: {stderr.Result.Trim()}");
        return stdout.Trim();
    }

    /// <summary>Formats a relative error for reports.</summary>
    public static string Format(double relativeError) => relativeError.ToString("0.0e+00", CultureInfo.InvariantCulture);
}
