using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Baselines;

/// <summary>M2M (issue 19). The checks every registry model passes (gradients, counts, persistence, shards) run from
/// BaselineModelTests, ModelRegistryTests and DataParallelStepTests; here what is particular to M2M.</summary>
public class M2mTests
{
    static M2mConfig Small => new()
    {
        EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 6, 4], Experts = 3, ScenarioDim = 5, MetaAttentionHidden = 4,
        EncoderHeads = 2, EncoderFeedForward = 8,
    };

    static ArgumentException Invalid(ModelConfig config) =>
        Assert.Throws<ArgumentException>(() => ModelRegistry.Create(config, BaselineTestData.Spec()));

    [Fact]
    public void BadConfigurationsFailClearly()
    {
        var e = Invalid(new M2mConfig { EmbeddingDim = 16, EncoderHeads = 3 });
        Assert.Contains("EncoderHeads (3) must divide EmbeddingDim (16)", e.Message);
        Assert.Contains("M2mConfig", e.Message);
        e = Invalid(new M2mConfig { Experts = 0, ScenarioDim = 0, MetaAttentionHidden = -1, MetaTowerLayers = 0, TaskDim = 0, ExpertSizes = [] });
        Assert.Contains("Experts must be >= 1; got 0", e.Message);
        Assert.Contains("ScenarioDim must be >= 1; got 0", e.Message);
        Assert.Contains("MetaAttentionHidden must be >= 1; got -1", e.Message);
        Assert.Contains("MetaTowerLayers must be >= 1; got 0", e.Message);
        Assert.Contains("TaskDim must be >= 1 (or null for the expert width); got 0", e.Message);
        Assert.Contains("ExpertSizes needs at least one entry", e.Message);
        e = Invalid(new M2mConfig { EncoderLayers = 0, EncoderFeedForward = 0 });
        Assert.Contains("EncoderLayers must be >= 1; got 0", e.Message);
        Assert.Contains("EncoderFeedForward must be >= 1; got 0", e.Message);
        // Without the encoder its settings are not used, so they are not checked.
        using var scope = NewDisposeScope();
        Assert.IsType<M2mModel>(ModelRegistry.Create(Small with { Encoder = M2mEncoder.None, EncoderHeads = 3 }, BaselineTestData.Spec()));
        Assert.Contains("Encoder must be None or FieldSequence", Invalid(new M2mConfig { Encoder = (M2mEncoder)5 }).Message);
    }

    /// <summary>The field-sequence encoder layer is PyTorch's post-norm nn.TransformerEncoderLayer (ReLU, no dropout):
    /// on the same weights, TorchSharp's native layer gives the same outputs.</summary>
    [Fact]
    public void TheEncoderLayerIsPyTorchsTransformerEncoderLayer()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        var ours = new FieldEncoderLayer(8, 2, 12);
        var native = nn.TransformerEncoderLayer(8, 2, 12, 0.0);
        var target = native.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(target.Keys.OrderBy(k => k), ours.named_parameters().Select(p => p.name).OrderBy(k => k));
        using (no_grad())
            foreach (var (name, p) in ours.named_parameters())
            {
                p.add_(0.1 * randn_like(p));                                     // biases and norms off their initial values too
                target[name].copy_(p);
            }
        ours.eval();
        native.eval();
        var x = randn(5, 6, 8);                                                  // [B, T, D]
        var expected = native.call(x.transpose(0, 1)).transpose(0, 1);           // native: [T, B, D]
        Assert.True(BaselineTestData.MaxAbsDiff(expected, ours.call(x)) < 1e-5f);
    }

    /// <summary>The meta unit: each sample's layer is W = Reshape(V_W S + c_W), b = V_b S + c_b, generated from its
    /// scenario knowledge S; with V = 0 every sample gets the same (static) layer.</summary>
    [Fact]
    public void TheMetaLayerIsEachSamplesGeneratedLinearLayer()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        var layer = new MetaLayer(3, 5, 2);
        var weight = layer.named_parameters().Single(p => p.name == "generator.weight").parameter;   // [5*2 + 2, 3]
        var bias = layer.named_parameters().Single(p => p.name == "generator.bias").parameter;
        var x = randn(4, 3, 5);
        var s = randn(4, 3);
        var actual = layer.call(x, s);
        for (var b = 0; b < 4; b++)
        {
            var generated = weight.matmul(s[b]) + bias;
            var expected = x[b].matmul(generated.narrow(0, 0, 10).view(5, 2)) + generated.narrow(0, 10, 2);
            Assert.True(BaselineTestData.MaxAbsDiff(expected, actual[b]) < 1e-5f);
        }
        using (no_grad()) weight.zero_();
        var shared = nn.functional.linear(x, bias.narrow(0, 0, 10).view(5, 2).t(), bias.narrow(0, 10, 2));
        Assert.True(BaselineTestData.MaxAbsDiff(shared, layer.call(x, s)) < 1e-5f);
    }

    /// <summary>The meta attention's α is a softmax over the K expert views, and it is scenario-specific: the same
    /// features under another scenario (its scenario-aware fields) get other weights.</summary>
    [Fact]
    public void AttentionWeightsSumToOneAndDependOnTheScenario()
    {
        using var scope = NewDisposeScope();
        manual_seed(10);
        var spec = BaselineTestData.Spec();
        var model = new M2mModel(spec, Small);
        var (input, _) = BaselineTestData.Batch(spec, 8, 4);
        var (alpha, views, scenario) = model.Attend(input);
        Assert.Equal([8L, 3L], alpha.shape);
        Assert.Equal([8L, 3L, 6L], views.shape);
        Assert.Equal([8L, 5L], scenario.shape);
        Assert.True((alpha.sum(1) - 1).abs().max().item<float>() < 1e-6f);
        var other = input with { Categorical = input.Categorical.clone().index_put_(input.Categorical.select(1, 0).remainder(3) + 1, TensorIndex.Colon, TensorIndex.Single(0)) };
        var (alphaOther, viewsOther, _) = model.Attend(other);
        // The scenario field is one of the fields, so the views change too; α must change beyond numerical noise.
        Assert.True((alpha - alphaOther).abs().max().item<float>() > 1e-4f);
        Assert.True((views - viewsOther).abs().max().item<float>() > 0);
    }

    /// <summary>With one expert view α is identically 1: no meta attention and no task view are built, and the output is
    /// the meta tower on that view.</summary>
    [Fact]
    public void WithOneExpertViewThereIsNoMetaAttention()
    {
        using var scope = NewDisposeScope();
        var spec = BaselineTestData.Spec();
        var model = new M2mModel(spec, Small with { Experts = 1 });
        Assert.DoesNotContain(model.named_parameters(), p => p.name.StartsWith("meta_attention") || p.name.StartsWith("task_"));
        var (input, _) = BaselineTestData.Batch(spec, 5, 5);
        var (alpha, _, _) = model.Attend(input);
        Assert.Equal(1f, alpha.min().item<float>());
        Assert.Equal(0L, M2mModel.Formula(spec, Small with { Experts = 1 })[BaselineComponent.Representations] - 8 * 5 - 5);
    }
}
