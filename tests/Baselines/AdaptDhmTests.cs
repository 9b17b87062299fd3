using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using MiDpg.Research.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Baselines;

/// <summary>AdaptDHM: configuration checks, the centre update (closed form, state not parameter, committed only after a
/// training step, never in evaluation, saved with the weights, equal with and without shards), hard routing's gradient
/// isolation, and the one-cluster special case (a DNN with weights W^shared ⊙ W^(1)).</summary>
[Collection("torch global generator")]
public sealed class AdaptDhmTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "midpg-adaptdhm-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    static AdaptDhmConfig Small => new() { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4] };

    static AdaptDhmModel Build(AdaptDhmConfig config, int seed = 3)
    {
        manual_seed(seed);
        return new AdaptDhmModel(BaselineTestData.Spec(), config);
    }

    [Fact]
    public void BadConfigurationsFailClearly()
    {
        var spec = BaselineTestData.Spec();
        void Fails(AdaptDhmConfig config, params string[] words)
        {
            var error = Assert.Throws<ArgumentException>(() => new AdaptDhmModel(spec, config));
            foreach (var w in words) Assert.Contains(w, error.Message);
        }
        Fails(Small with { Clusters = 0 }, "Clusters", "got 0");
        Fails(Small with { CentroidMomentum = 1 }, "CentroidMomentum", "[0, 1)");
        Fails(Small with { CentroidMomentum = -0.1 }, "CentroidMomentum");
        Fails(Small with { RoutingIterations = 0 }, "RoutingIterations");
        Fails(Small with { BottomSizes = [4] }, "BottomSizes", "SharedBottom");
        Fails(Small with { Structure = AdaptDhmStructure.SharedBottom, BottomSizes = [0] }, "BottomSizes[0]");
        Fails(Small with { Routing = (AdaptDhmRouting)7 }, "Routing");
        Fails(Small with { Initialisation = (AdaptDhmInitialisation)5 }, "Initialisation");
        Fails(Small with { Structure = AdaptDhmStructure.SharedBottom, Biases = false }, "Biases", "Star only");
        Fails(Small with { Structure = AdaptDhmStructure.SharedBottom, Initialisation = AdaptDhmInitialisation.Xavier }, "Initialisation", "Star only");
    }

    [Fact]
    public void TheCentroidUpdateFollowsItsClosedForm()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var x = randn(10, 5);
        var c0 = nn.functional.normalize(randn(3, 5), p: 2, dim: 1);
        foreach (var rule in new[] { AdaptDhmCentroidUpdate.RoutingSum, AdaptDhmCentroidUpdate.RoutingMean })
        {
            var config = new AdaptDhmConfig { CentroidUpdate = rule, CentroidMomentum = 0.7, RoutingIterations = 2 };
            var c = c0;
            for (var t = 0; t < 2; t++)
            {
                var r = nn.functional.softmax(x.matmul(c.t()), 1);
                var pulled = r.t().matmul(x);
                if (rule == AdaptDhmCentroidUpdate.RoutingMean) pulled /= r.sum(dim: 0).unsqueeze(1);
                var m = 0.7 * c + 0.3 * pulled;
                c = m / m.norm(1, keepdim: true);
            }
            var actual = AdaptDhmModel.UpdatedCentroids(x, c0, config);
            Assert.True(BaselineTestData.MaxAbsDiff(actual, c) < 1e-6, $"{rule}");
            Assert.True(BaselineTestData.MaxAbsDiff(actual.norm(1), ones(3)) < 1e-6, "centres stay unit vectors");
        }
        var frozen = AdaptDhmModel.UpdatedCentroids(x, c0, new AdaptDhmConfig { CentroidUpdate = AdaptDhmCentroidUpdate.Frozen });
        Assert.Equal(0f, BaselineTestData.MaxAbsDiff(frozen, c0));
    }

    [Fact]
    public void CentroidsAreStateMovedOnlyAfterATrainingStepAndNeverInEvaluation()
    {
        using var scope = NewDisposeScope();
        var model = Build(Small);
        var (input, labels) = BaselineTestData.Batch(model.Features, 40, 2);
        Assert.DoesNotContain(model.named_parameters(), p => p.name.Contains("centroid"));
        Assert.Contains(model.named_buffers(), b => b.name == "centroids");
        var start = model.Centroids.clone();

        model.eval();
        model.Loss(input, labels);
        model.OnStep(1);
        Assert.Equal(0f, BaselineTestData.MaxAbsDiff(model.Centroids, start));

        model.train();
        model.Loss(input, labels).Total.backward();
        Assert.Equal(0f, BaselineTestData.MaxAbsDiff(model.Centroids, start));   // pending until the step
        Tensor x;
        using (no_grad()) x = model.get_buffer("centroids")!.clone();
        model.OnStep(2);
        var embedding = (FieldEmbedding)model.named_children().First(c => c.name == "embedding").module;
        var h1 = embedding.call(input.Categorical).BackboneInput(input.Numeric).detach();
        var expected = AdaptDhmModel.UpdatedCentroids(h1, start, Small);
        Assert.True(BaselineTestData.MaxAbsDiff(model.Centroids, expected) < 1e-6);
        Assert.True(BaselineTestData.MaxAbsDiff(model.Centroids, x) > 1e-4, "the step moved the centres");

        model.eval();
        var after = model.Centroids.clone();
        model.Predict(input);
        model.OnStep(3);
        Assert.Equal(0f, BaselineTestData.MaxAbsDiff(model.Centroids, after));
    }

    [Fact]
    public void CentroidsAreSavedAndLoadedWithTheWeights()
    {
        using var scope = NewDisposeScope();
        var model = Build(Small);
        var (input, labels) = BaselineTestData.Batch(model.Features, 30, 4);
        BaselineTestData.Train(model, input, labels, steps: 3);
        model.eval();
        ModelStore.Save(model, directory);
        var loaded = (AdaptDhmModel)ModelStore.Load(directory).Model;
        loaded.eval();
        Assert.Equal(0f, BaselineTestData.MaxAbsDiff(model.Centroids, loaded.Centroids));
        Assert.Equal(0f, BaselineTestData.MaxAbsDiff(model.Predict(input), loaded.Predict(input)));
    }

    [Fact]
    public void ShardsLeaveTheSameCentroidUpdateAsTheWholeBatch()
    {
        using var scope = NewDisposeScope();
        var whole = Build(Small, 9);
        var sharded = Build(Small, 9);
        var (input, labels) = BaselineTestData.Batch(whole.Features, 50, 5);
        whole.train();
        sharded.train();
        whole.Loss(input, labels);
        whole.OnStep(1);
        using (var step = new DataParallelStep(3))
            step.Run(sharded, input, labels, sharded.parameters().ToArray());
        sharded.OnStep(1);
        Assert.True(BaselineTestData.MaxAbsDiff(whole.Centroids, sharded.Centroids) < 1e-6);
    }

    [Fact]
    public void HardRoutingTrainsOnlyTheRouteOfEachSample()
    {
        using var scope = NewDisposeScope();
        var model = Build(Small with { Clusters = 3, EmbeddingInitStd = 1.0 });
        model.eval();   // route with the committed centres (gradients still flow)
        var (input, labels) = BaselineTestData.Batch(model.Features, 60, 6);
        var routes = model.Coefficients(input).argmax(1);
        var j = routes.bincount(null).argmax().item<long>();
        var rows = routes.eq(j).nonzero().squeeze(1);
        var subset = new ModelInput(input.Categorical.index_select(0, rows), input.Numeric!.index_select(0, rows), input.Scenario.index_select(0, rows));
        model.Loss(subset, labels.index_select(0, rows)).Total.backward();
        foreach (var (name, p) in model.named_parameters().Where(p => p.name.Contains(".cluster_")))
            for (var k = 0; k < 3; k++)
            {
                var g = p.grad!.select(0, k).abs().sum().item<float>();
                if (k == j) Assert.True(g > 0, $"{name}[{k}]: the samples' own cluster gets a gradient");
                else Assert.True(g == 0, $"{name}[{k}]: gradient {g} from samples routed to cluster {j}");
            }
    }

    [Fact]
    public void OneStarClusterIsTheDnnWithProductWeights()
    {
        using var scope = NewDisposeScope();
        var config = Small with { Clusters = 1, Routing = AdaptDhmRouting.Hard };
        var model = Build(config);
        var spec = model.Features;
        using (no_grad())
            foreach (var (name, p) in model.named_parameters().Where(p => p.name.Contains(".cluster_")))
                p.copy_(randn_like(p) * 0.5 + 1);
        manual_seed(4);
        var dnn = new DnnModel(spec, new DnnConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4] });
        var ours = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var theirs = dnn.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
        {
            theirs["embedding.table.weight"].copy_(ours["embedding.table.weight"]);
            for (var l = 0; l < 3; l++)
            {
                var prefix = l < 2 ? $"backbone.layers.{l}" : "backbone.output";
                theirs[$"{prefix}.weight"].copy_((ours[$"layers.{l}.shared_weight"] * ours[$"layers.{l}.cluster_weight"][0]).t());
                theirs[$"{prefix}.bias"].copy_(ours[$"layers.{l}.shared_bias"] + ours[$"layers.{l}.cluster_bias"][0]);
            }
        }
        var (input, _) = BaselineTestData.Batch(spec, 16, 7);
        model.train();
        Assert.True(BaselineTestData.MaxAbsDiff(model.Forward(input), dnn.Forward(input)) < 1e-5);
        model.eval();
        Assert.True(BaselineTestData.MaxAbsDiff(model.Forward(input), dnn.Forward(input)) < 1e-5);
    }

    [Fact]
    public void SoftRoutingMixesTheRoutesByTheirCoefficients()
    {
        using var scope = NewDisposeScope();
        var hard = Build(Small with { Routing = AdaptDhmRouting.Hard, Clusters = 2 });
        var soft = Build(Small with { Routing = AdaptDhmRouting.Soft, Clusters = 2 });
        // Cluster 1's route made identical to cluster 0's: every mixture of the two equals either route.
        using (no_grad())
            foreach (var model in new[] { hard, soft })
                foreach (var (_, p) in model.named_parameters().Where(p => p.name.Contains(".cluster_")))
                    p.select(0, 1).copy_(p.select(0, 0));
        hard.eval();
        soft.eval();
        var (input, _) = BaselineTestData.Batch(hard.Features, 20, 8);
        Assert.True(BaselineTestData.MaxAbsDiff(hard.Forward(input), soft.Forward(input)) < 1e-5);
        var r = soft.Coefficients(input);
        Assert.True(BaselineTestData.MaxAbsDiff(r.sum(1), ones(20)) < 1e-6, "coefficients sum to 1");
    }

    [Fact]
    public void TheReferencesInitialisationWithoutBiasesIsAnUnbiasedXavierProduct()
    {
        // Initialisation = Xavier, Biases = false: what Scenario-Wise-Rec's adaptdhm.py computes (adaptdhm.py:45,61,104-106).
        using var scope = NewDisposeScope();
        var config = Small with { Initialisation = AdaptDhmInitialisation.Xavier, Biases = false, HiddenSizes = [64, 32] };
        var model = Build(config, 5);
        Assert.DoesNotContain(model.named_parameters(), p => p.name.Contains("bias"));
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var din = config.InputDim(model.Features);
        var widths = new[] { din, 64, 32, 1 };
        for (var l = 0; l < 3; l++)
        {
            var bound = Math.Sqrt(2.0) * Math.Sqrt(6.0 / (widths[l] + widths[l + 1]));
            foreach (var factor in new[] { $"layers.{l}.shared_weight", $"layers.{l}.cluster_weight" })
            {
                var w = parameters[factor];
                Assert.True(w.abs().max().item<float>() <= bound + 1e-6, $"{factor} within the Xavier bound {bound}");
                if (w.numel() >= 1000)   // U(-a, a) has std a / sqrt(3)
                    Assert.InRange(w.std().item<float>(), 0.9 * bound / Math.Sqrt(3), 1.1 * bound / Math.Sqrt(3));
            }
        }
        // Without biases a zero input gives logit 0 on every route: the network is linear-homogeneous.
        using (no_grad())
        {
            var zero = zeros(2, din);
            var h = zero.unsqueeze(0).expand(config.Clusters, -1, -1);
            var layers = model.named_children().First(c => c.name == "layers").module.children().Cast<nn.Module<Tensor, Tensor>>().ToArray();
            foreach (var layer in layers) h = nn.functional.relu(layer.call(h));
            Assert.Equal(0f, h.abs().max().item<float>());
        }
    }

    [Fact]
    public void TheNewOptionsLeaveDefaultConfigsSerialisedAsBefore()
    {
        // Runs recorded before Initialisation and Biases existed are reused only if a default config serialises as it did.
        var options = new System.Text.Json.JsonSerializerOptions { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
        var plain = System.Text.Json.JsonSerializer.Serialize(new AdaptDhmConfig(), options);
        Assert.DoesNotContain("Initialisation", plain);
        Assert.DoesNotContain("Biases", plain);
        var reference = System.Text.Json.JsonSerializer.Serialize(new AdaptDhmConfig { Initialisation = AdaptDhmInitialisation.Xavier, Biases = false }, options);
        Assert.Contains("\"Initialisation\":\"Xavier\"", reference);
        Assert.Contains("\"Biases\":false", reference);
    }
}
