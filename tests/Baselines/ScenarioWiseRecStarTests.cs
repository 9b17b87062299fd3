using System.Diagnostics;
using System.Text.Json.Nodes;
using MiDpg.Research.Data;
using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using MiDpg.Research.Tests.Training;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Baselines;

/// <summary>STAR in Scenario-Wise-Rec's flavour (<see cref="StarFlavour.ScenarioWiseRec"/>): its quirks as specified, and,
/// where the reference checkout is present, the same probabilities and gradients as the reference's own Star.</summary>
public class ScenarioWiseRecStarTests
{
    const int InputDim = 12, Scenarios = 3, Rows = 40;
    static readonly int[] Hidden = [8, 6], Auxiliary = [5];

    static (Tensor H1, Tensor Scenario, Tensor Labels) Batch(int seed)
    {
        var g = new Generator((ulong)seed);
        var h1 = randn([Rows, InputDim], generator: g) * 2 + 0.5;
        var scenario = arange(Rows, dtype: ScalarType.Int64).remainder(Scenarios);
        var labels = randint(0, 2, [Rows], generator: g).to_type(ScalarType.Float32);
        return (h1, scenario, labels);
    }

    [Fact]
    public void TheFlavourFixesItsOwnRecipeAndRefusesShards()
    {
        var spec = BaselineTestData.Spec();
        var e = Assert.Throws<ArgumentException>(() => new StarModel(spec, new StarConfig { Flavour = StarFlavour.ScenarioWiseRec, PnPlacement = PnPlacement.None }));
        Assert.Contains("Flavour = ScenarioWiseRec fixes", e.Message);
        using var model = new StarModel(spec, new StarConfig { EmbeddingDim = 4, HiddenSizes = [8, 4], Flavour = StarFlavour.ScenarioWiseRec });
        Assert.Contains("whole batch", model.ShardingObstacle);
    }

    /// <summary>Their quirks, specified: the path's logit is a ReLU output (never negative), and even in evaluation a row's
    /// output depends on the other rows of the batch (the input is normalised with the batch's own statistics).</summary>
    [Fact]
    public void MainLogitIsNeverNegativeAndEvaluationDependsOnTheBatch()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var net = new ScenarioWiseRecStar(InputDim, Hidden, Auxiliary, Scenarios);
        var (h1, scenario, _) = Batch(1);
        net.eval();
        using (no_grad())
        {
            var auxiliary = net.named_children().Single(c => c.name == "auxiliary").module as TorchSharp.Modules.Sequential;
            var main = net.call(h1, scenario) - auxiliary!.call(h1).squeeze(1);
            Assert.True(main.min().item<float>() >= -1e-6f);
            var alone = net.call(h1.narrow(0, 0, 10), scenario.narrow(0, 0, 10));
            var withOthers = net.call(h1, scenario).narrow(0, 0, 10);
            Assert.True((alone - withOthers).abs().max().item<float>() > 1e-4f);
        }
    }

    /// <summary>The reference's Star (star.py) on the same weights and batch: probabilities in training mode (batch
    /// statistics), BCE, every parameter's gradient, and probabilities in evaluation mode after that one training pass.</summary>
    [ReferenceFact]
    public void AgreesWithTheReferenceStarOnTheSameWeightsAndBatch()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        using var net = new ScenarioWiseRecStar(InputDim, Hidden, Auxiliary, Scenarios);
        var (h1, scenario, labels) = Batch(2);
        var map = ReferenceNames(net);
        var dir = Directory.CreateTempSubdirectory("midpg-star-golden-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "params"));
            Directory.CreateDirectory(Path.Combine(dir, "batch"));
            File.WriteAllText(Path.Combine(dir, "meta.json"), new JsonObject
            {
                ["input_dim"] = InputDim, ["scenarios"] = Scenarios,
                ["hidden"] = new JsonArray(Hidden.Select(h => (JsonNode)h).ToArray()), ["aux"] = new JsonArray(Auxiliary.Select(h => (JsonNode)h).ToArray()),
            }.ToJsonString());
            foreach (var (name, value, _) in map)
                Npy.Write(Path.Combine(dir, "params", name + ".npy"), value.detach().contiguous().data<float>().ToArray(), value.shape);
            Npy.Write(Path.Combine(dir, "batch", "h1.npy"), h1.contiguous().data<float>().ToArray(), h1.shape);
            Npy.Write(Path.Combine(dir, "batch", "domain.npy"), scenario.data<long>().ToArray(), Rows);
            Npy.Write(Path.Combine(dir, "batch", "y.npy"), labels.data<float>().ToArray(), Rows);
            RunReference(dir);

            net.train();
            var logits = net.call(h1, scenario);
            var bce = nn.functional.binary_cross_entropy_with_logits(logits, labels);
            bce.backward();
            AssertClose("training probabilities", logits.sigmoid(), Npy.Read(Path.Combine(dir, "peer", "train_probs.npy")));
            var theirBce = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "peer", "loss.json")))!["bce"]!.GetValue<double>();
            Assert.True(Math.Abs(bce.item<float>() - theirBce) <= 1e-5 * Math.Abs(theirBce), $"BCE {bce.item<float>()} vs {theirBce}");
            var gradients = Directory.GetFiles(Path.Combine(dir, "peer", "grads"));
            Assert.Equal(map.Count, gradients.Length);
            foreach (var (name, _, gradient) in map)
                AssertClose($"gradient of {name}", gradient()!, Npy.Read(Path.Combine(dir, "peer", "grads", name + ".npy")));
            net.eval();
            using (no_grad())
                AssertClose("evaluation probabilities", net.call(h1, scenario).sigmoid(), Npy.Read(Path.Combine(dir, "peer", "eval_probs.npy")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    static void AssertClose(string what, Tensor ours, NpyArray theirs)
    {
        var a = ours.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var b = theirs.AsDoubles();
        Assert.Equal(b.Length, a.Length);
        // Relative to the larger of the quantity's scale and 1e-3: the gradients of the biases that a BatchNorm follows
        // (b, b_p, beta, beta_p) vanish in exact arithmetic and are float32 noise (~1e-9) on both sides.
        var scale = Math.Max(b.Max(Math.Abs), 1e-3);
        var error = a.Zip(b, (x, y) => Math.Abs(x - y)).Max() / scale;
        Assert.True(error <= 1e-4, $"{what}: error {error:E2} relative to {scale:E2} (float32 on both sides)");
    }

    /// <summary>Our parameters under the reference's state-dict names (star.py), as views, with their gradients.</summary>
    static List<(string Name, Tensor Value, Func<Tensor?> Gradient)> ReferenceNames(ScenarioWiseRecStar net)
    {
        var ours = net.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var map = new List<(string, Tensor, Func<Tensor?>)>();
        void Add(string theirs, string name, Func<Tensor, Tensor>? part = null)
        {
            var p = ours[name];
            part ??= t => t;
            map.Add((theirs, part(p), () => p.grad is { } g ? part(g) : null));
        }
        Add("dn_share_gamma", "norm_gamma");
        Add("dn_share_bias", "norm_beta");
        int[] widths = [.. Hidden, 1];
        for (var s = 0; s < Scenarios; s++)
        {
            var d = s;
            Add($"domain_specific_dn_gamma.{s}", "norm_scenario_gamma", t => t[d]);
            Add($"domain_specific_dn_bias.{s}", "norm_scenario_beta", t => t[d]);
            for (var l = 0; l < widths.Length; l++)
            {
                var width = widths[l];
                Add($"domain_specific_w.{s}.{l}", $"scenario_weight.{l}", t => t[d]);
                Add($"domain_specific_b.{s}.{l}", $"scenario_bias.{l}", t => t[d]);
                Add($"domain_specific_bn.{s}.{l}.weight", $"path_norms.{l}.weight", t => t.narrow(0, d * width, width));
                Add($"domain_specific_bn.{s}.{l}.bias", $"path_norms.{l}.bias", t => t.narrow(0, d * width, width));
            }
        }
        for (var l = 0; l < widths.Length; l++)
        {
            Add($"share_parm_w.{l}", $"shared_weight.{l}");
            Add($"share_parm_b.{l}", $"shared_bias.{l}");
        }
        // Their auxiliary MLP: Linear, BatchNorm1d, ReLU, Dropout per hidden size, then Linear; ours without the Dropout.
        foreach (var (theirs, mine) in new[] { ("0", "0"), ("1", "1"), ("4", "3") })
        {
            Add($"auxnet.mlp.{theirs}.weight", $"auxiliary.{mine}.weight");
            Add($"auxnet.mlp.{theirs}.bias", $"auxiliary.{mine}.bias");
        }
        Assert.Equal(ours.Values.Sum(p => p.numel()), map.Sum(m => m.Item2.numel()));
        return map;
    }

    static void RunReference(string dir)
    {
        var script = Path.Combine(MiDpg.Research.Platform.RepositoryPaths.EnvironmentFolder, "reproduce", "star_golden.py");
        using var p = Process.Start(new ProcessStartInfo(Models.PeerFactAttribute.Python, [script, "--reference", ReferenceFactAttribute.Reference!, dir])
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"star_golden.py failed: {stderr.Result}");
    }
}
