// Parameter cost by component (MODELS.md "Efficiency": shared backbone, generators, shared factors,
// discriminators and embeddings counted separately; the paper's main claim is accuracy at low
// parameter cost, section 3.5.1).
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models;

/// <summary>Component names used in parameter reports.</summary>
public static class ModelComponent
{
    public const string Embeddings = "embeddings";
    public const string Backbone = "backbone";
    public const string Generators = "generators";
    public const string SharedFactors = "shared_factors";
    public const string Discriminators = "discriminators";
}

/// <summary>Counts a model's parameters by component.</summary>
public static class ParameterCount
{
    /// <summary>Default classifier of state-dict names, matching DpgModel's layout (and usable by baselines that
    /// follow it): "embedding.*" embeddings, "*generator_*" generators, "*_share" shared factors, "mir.*"
    /// discriminators, everything else backbone.</summary>
    public static string DefaultComponent(string name) =>
        name.StartsWith("embedding.", StringComparison.Ordinal) ? ModelComponent.Embeddings
        : name.StartsWith("mir.", StringComparison.Ordinal) ? ModelComponent.Discriminators
        : name.Contains("generator_", StringComparison.Ordinal) ? ModelComponent.Generators
        : name.EndsWith("_share", StringComparison.Ordinal) ? ModelComponent.SharedFactors
        : ModelComponent.Backbone;

    /// <summary>Number of scalar parameters per component (every component of <see cref="ModelComponent"/> present,
    /// zero when absent) and "total".</summary>
    public static IReadOnlyDictionary<string, long> ByComponent(Module model, Func<string, string>? classify = null)
    {
        classify ??= DefaultComponent;
        var counts = new Dictionary<string, long>
        {
            [ModelComponent.Embeddings] = 0, [ModelComponent.Backbone] = 0, [ModelComponent.Generators] = 0,
            [ModelComponent.SharedFactors] = 0, [ModelComponent.Discriminators] = 0,
        };
        foreach (var (name, p) in model.named_parameters())
        {
            var c = classify(name);
            counts[c] = counts.GetValueOrDefault(c) + p.numel();
        }
        counts["total"] = counts.Where(kv => kv.Key != "total").Sum(kv => kv.Value);
        return counts;
    }

    /// <summary>
    /// The closed-form counts for DPG / MI-DPG, without building the model. With D = emb_dim, d_aw = F_aw D,
    /// H = GeneratorHidden, H_T = DiscriminatorHidden, mlp(i, h, o) = i h + h + h o + o:
    ///   embeddings     = sum_f vocab_f * D
    ///   backbone       = sum_l (d_m d_n + d_n) + (d_last + 1)
    ///   generators     = sum_{modulated l} Non: mlp(d_aw + d_m, H, d_m d_n); RC: mlp(., H, d_r d_k) + mlp(., H, d_k d_c);
    ///                    R: mlp(., H, d_r d_k); C: mlp(., H, d_k d_c)
    ///   shared_factors = sum_{modulated l} R: d_k d_c; C: d_r d_k; else 0
    ///   discriminators = sum_{modulated l} mlp(d_aw + s, H_T, 1) (+ d_m d_n P + P for Non with projection P,
    ///                    then s = P), s = d_r d_c (Non: d_m d_n); 0 when the MIR is off.
    /// </summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, DpgConfig config)
    {
        static long Mlp(long i, long h, long o) => i * h + h + h * o + o;
        long D = config.EmbeddingDim, dAw = config.AwareDim(features), H = config.GeneratorHidden, Ht = config.DiscriminatorHidden;
        long embeddings = features.Fields.Sum(f => f.VocabularySize) * D, backbone = 0, generators = 0, shared = 0, discriminators = 0;
        var modulated = config.EffectiveModulatedLayers.ToHashSet();
        for (var l = 1; l <= config.HiddenSizes.Count; l++)
        {
            var (dm, dn) = config.LayerShape(features, l);
            backbone += (long)dm * dn + dn;
            if (!modulated.Contains(l)) continue;
            var g = config.Geometry(features, l);
            long gin = dAw + dm;
            generators += config.Variant switch
            {
                DwmVariant.Non => Mlp(gin, H, (long)dm * dn),
                DwmVariant.RC => Mlp(gin, H, (long)g.Dr * g.Dk) + Mlp(gin, H, (long)g.Dk * g.Dc),
                DwmVariant.R => Mlp(gin, H, (long)g.Dr * g.Dk),
                _ => Mlp(gin, H, (long)g.Dk * g.Dc),
            };
            shared += config.Variant switch { DwmVariant.R => (long)g.Dk * g.Dc, DwmVariant.C => (long)g.Dr * g.Dk, _ => 0 };
            if (!config.MirActive) continue;
            long s = (long)g.Dr * g.Dc;
            if (config.Variant == DwmVariant.Non && config.NonDiscriminatorProjection > 0)
            {
                long p = config.NonDiscriminatorProjection;
                discriminators += s * p + p;
                s = p;
            }
            discriminators += Mlp(dAw + s, Ht, 1);
        }
        backbone += config.HiddenSizes[^1] + 1;
        return new Dictionary<string, long>
        {
            [ModelComponent.Embeddings] = embeddings, [ModelComponent.Backbone] = backbone, [ModelComponent.Generators] = generators,
            [ModelComponent.SharedFactors] = shared, [ModelComponent.Discriminators] = discriminators,
            ["total"] = embeddings + backbone + generators + shared + discriminators,
        };
    }
}
