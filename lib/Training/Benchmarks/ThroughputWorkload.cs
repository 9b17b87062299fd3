using System.Diagnostics;
using System.Text.Json;
using MiDpg.Research.Data;
using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using static TorchSharp.torch;

namespace MiDpg.Research.Training.Benchmarks;

/// <summary>One line of the throughput benchmark, with the fields of the PyTorch peer (shared/bench/midpg_ref.py) plus peak memory.</summary>
public sealed record ThroughputResult(string Model, int Threads, int Rows, double SamplesPerS, double TrainS, double Auc, double LogLoss,
    long Params, double PeakRssMb, int Shards = 1)
{
    public string ToJson() => JsonSerializer.Serialize(new
    {
        model = Model, threads = Threads, rows = Rows, samples_per_s = Math.Round(SamplesPerS, 1), train_s = Math.Round(TrainS, 2),
        auc = Math.Round(Auc, 4), logloss = Math.Round(LogLoss, 4), @params = Params, peak_rss_mb = Math.Round(PeakRssMb, 1),
        shards = Shards,
    });
}

/// <summary>
/// The throughput-v1 workload (shared/bench/WORKLOAD.md): 200,000 rows, 90% trained for one shuffled epoch;
/// scenario-agnostic fields user (100,000 values), item (50,000) and six of 1,000; scenario-aware fields
/// scenario (10) and sub-scenario (100); Zipf-like ids (exponent 1.3, folded modulo the vocabulary as the
/// peer does); embeddings of 16 (10 fields: backbone input 160), backbone 128-64-32; DNN, DPG-R and
/// MI-DPG-R with d_r = d_m/4, d_k = 2, d_c = d_n/4, generator and discriminator hidden 64, tiled psi,
/// lambda = 1; Adam 1e-3, batch 512. Data generation and encoding are not timed.
/// </summary>
public static class ThroughputWorkload
{
    public static readonly string[] Models = ["dnn", "dpg-r", "midpg-r"];
    static readonly int[] AgnosticVocabulary = [100_000, 50_000, 1000, 1000, 1000, 1000, 1000, 1000];
    const int Scenarios = 10, SubScenarios = 100;

    /// <summary>The workload's data: scenario-dependent preferences over hashed feature effects, as in the peer.</summary>
    public static EncodedDataset Data(int rows, long seed = 7)
    {
        if (rows < 1000) throw new ArgumentOutOfRangeException(nameof(rows), $"The workload needs at least 1000 rows; got {rows}.");
        var rng = new SeededRandom(seed);
        int fields = 2 + AgnosticVocabulary.Length;
        var cat = new long[(long)rows * fields];
        var labels = new float[rows];
        var scenario = new int[rows];
        var effects = AgnosticVocabulary.Select(v => Enumerable.Range(0, v).Select(_ => rng.NextGaussian()).ToArray()).ToArray();
        var mix = Enumerable.Range(0, Scenarios).Select(_ => Enumerable.Range(0, AgnosticVocabulary.Length).Select(_ => rng.NextGaussian()).ToArray()).ToArray();
        var zipf = ZipfCdf(1_000_000, 1.3);
        for (int r = 0; r < rows; r++)
        {
            int s = rng.NextInt(Scenarios), sub = s * 10 + rng.NextInt(10);
            long at = (long)r * fields;
            cat[at] = Vocabulary.Reserved + s;
            cat[at + 1] = Vocabulary.Reserved + sub;
            double logit = -1.0 + 0.3 * rng.NextGaussian();
            for (int j = 0; j < AgnosticVocabulary.Length; j++)
            {
                int id = Sample(zipf, rng.NextDouble()) % AgnosticVocabulary[j];
                cat[at + 2 + j] = Vocabulary.Reserved + id;
                logit += mix[s][j] * effects[j][id] * 0.5;
            }
            scenario[r] = s;
            labels[r] = rng.NextDouble() < 1 / (1 + Math.Exp(-logit)) ? 1f : 0f;
        }
        var fieldInfo = new List<FieldInfo>
        {
            new("scenario", Vocabulary.Reserved + Scenarios, FieldRole.ScenarioAware),
            new("sub_scenario", Vocabulary.Reserved + SubScenarios, FieldRole.ScenarioAware),
        };
        fieldInfo.AddRange(AgnosticVocabulary.Select((v, j) => new FieldInfo(j switch { 0 => "user", 1 => "item", _ => $"f{j - 1}" }, Vocabulary.Reserved + v, FieldRole.ScenarioAgnostic)));
        return new EncodedDataset("throughput-v1", cat, [], labels, scenario, fieldInfo, [], Enumerable.Range(0, Scenarios).Select(s => $"s{s}").ToList());
    }

    /// <summary>The workload's model configs (registry overrides of the paper's backbone and DWM settings).</summary>
    public static ModelConfig Config(string model) => model switch
    {
        "dnn" => new DnnConfig { EmbeddingDim = 16, HiddenSizes = [128, 64, 32] },
        "dpg-r" or "midpg-r" => new DpgConfig
        {
            EmbeddingDim = 16, HiddenSizes = [128, 64, 32], Variant = DwmVariant.R, RowDivisor = 4, ColumnDivisor = 4, RankK = 2,
            GeneratorHidden = 64, DiscriminatorHidden = 64, Repeat = RepeatMode.Tile, UseMir = model == "midpg-r", Lambda = 1.0,
            BceReduction = BceReduction.Mean,   // the peer's loss: mean BCE + L_mi
        },
        _ => throw new ArgumentException($"The throughput workload has models {string.Join(", ", Models)}; got '{model}'.", nameof(model)),
    };

    /// <summary>Trains one model for one epoch on 90% of the rows and evaluates on the rest.</summary>
    public static ThroughputResult Run(string model, int rows = 200_000, int threads = 2, Device? device = null, EncodedDataset? data = null,
        AdamUpdate embeddingUpdate = AdamUpdate.Lazy, int shards = 1, bool fusedKernel = true)
    {
        set_num_threads(threads);
        data ??= Data(rows);
        int train = (int)(0.9 * data.Rows);
        var trainSet = data.Select(Enumerable.Range(0, train).ToArray());
        var testSet = data.Select(Enumerable.Range(train, data.Rows - train).ToArray());
        manual_seed(0);
        using var net = ModelRegistry.Create(Config(model), ModelData.Features(data), device);
        UseFusedKernel(net, fusedKernel);
        var result = new Trainer(new TrainerConfig { MaxEpochs = 1, Patience = 1, BatchSize = 512, LearningRate = 1e-3, Seed = 0, Threads = threads, EmbeddingUpdate = embeddingUpdate, Shards = shards })
            .Fit(net, trainSet, testSet);
        var epoch = result.History.Epochs[0];
        var test = Evaluation.Evaluate(net, testSet);
        long parameters = net.parameters().Sum(p => p.numel());
        return new ThroughputResult(model, threads, data.Rows, train / epoch.Seconds, epoch.Seconds, test.Auc, test.LogLoss, parameters,
            Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, shards);
    }

    /// <summary>Switches DPG / MI-DPG between the fused kernels and torch ops (<see cref="WeightingMatrix.UseFusedKernel"/>,
    /// <see cref="MutualInformationRegularizer.UseFusedKernel"/>).</summary>
    public static void UseFusedKernel(ScenarioModel net, bool fused)
    {
        if (net is not DpgModel dpg) return;
        foreach (var layer in dpg.WeightingLayers) layer.UseFusedKernel = fused;
        if (dpg.Mir is not null) dpg.Mir.UseFusedKernel = fused;
    }

    static double[] ZipfCdf(int n, double exponent)
    {
        var cdf = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) { sum += Math.Pow(k + 1, -exponent); cdf[k] = sum; }
        for (int k = 0; k < n; k++) cdf[k] /= sum;
        return cdf;
    }

    /// <summary>A draw k >= 1 from the truncated Zipf law (as numpy's zipf gives ranks starting at 1).</summary>
    static int Sample(double[] cdf, double u)
    {
        int i = Array.BinarySearch(cdf, u);
        return (i < 0 ? ~i : i) + 1;
    }
}
