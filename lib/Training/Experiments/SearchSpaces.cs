using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;

namespace MiDpg.Research.Training.Experiments;

/// <summary>
/// The search space of every registry model (issue 16): Adam's learning rate for all, plus each model's own
/// hyperparameters — λ for MI-DPG, the backbone's initialisation gain for DPG / MI-DPG, APG's rank, identity offset and
/// over-parameterisation, PLE's experts and levels, AdaSparse's variant, STAR's auxiliary network, PEPNet's, EPNet's and PPNet's gate inputs, Shared-Bottom's towers, MMoE's experts, SAR-Net's shared experts, M2M's expert views, AdaptDHM's clusters, HAMUR's rank, M3oE's shared experts,
/// DNN's dropout, OptMSM's orthogonality weight. The first value of each hyperparameter is the model's default (the paper's
/// setting where it gives one), so the default configuration is always the first candidate of a tuning run. Every space
/// has at least <see cref="MinimumSize"/> points, so any budget up to it trains the same number of configurations for
/// every model.
/// </summary>
public static class SearchSpaces
{
    /// <summary>The smallest space size: budgets up to this many configurations are equal for every model.</summary>
    public const int MinimumSize = 6;

    /// <summary>Adam learning rates searched for every model (paper 3.3: 1e-3 first).</summary>
    public static readonly IReadOnlyList<double> LearningRates = [1e-3, 3e-4, 3e-3];

    /// <summary>λ values searched for MI-DPG (paper 3.3: 1), on the batch-mean scale of <see cref="BceReduction.Mean"/>.</summary>
    public static readonly IReadOnlyList<double> Lambdas = [1.0, 0.3, 0.1, 0.03, 0.01];

    static string[] Texts(params double[] values) => values.Select(Hyperparameter.Text).ToArray();

    /// <summary>The search space of a registry name (see <see cref="ModelRegistry.Names"/>).</summary>
    public static SearchSpace For(string model)
    {
        var name = (model ?? "").Trim().ToLowerInvariant();
        if (!ModelRegistry.Contains(name)) throw new ArgumentException($"No search space for '{model}': not a registry name ({string.Join(", ", ModelRegistry.Names)}).", nameof(model));
        var lr = Hyperparameter.LearningRate(LearningRates);
        Hyperparameter[] own = name switch
        {
            "dnn" => [Hyperparameter.Of<DnnConfig>("dropout", Texts(0, 0.1, 0.3), (c, v) => c with { Dropout = Hyperparameter.Number(v) })],
            "ple" =>
            [
                Hyperparameter.Of<PleConfig>("experts", ["1", "2"], (c, v) => c with { ScenarioExperts = int.Parse(v), SharedExperts = int.Parse(v) }),
                // Levels = extraction networks, with the backbone's first widths (128 | 128-64 of 128-64-32; the default is
                // every width but the last, kept as is); more levels than hidden widths fail the config's validation.
                Hyperparameter.Of<PleConfig>("levels", ["2", "1"], (c, v) => int.Parse(v) == c.EffectiveExpertSizes.Count
                    ? c : c with { ExpertSizes = c.HiddenSizes.Take(int.Parse(v)).Concat(Enumerable.Repeat(0, Math.Max(0, int.Parse(v) - c.HiddenSizes.Count))).ToArray() }),
            ],
            "star" => [Hyperparameter.Of<StarConfig>("auxiliary", ["32", "off", "64"], (c, v) => v == "off"
                ? c with { UseAuxiliaryNetwork = false }
                : c with { UseAuxiliaryNetwork = true, AuxiliaryHiddenSizes = [int.Parse(v)] })],
            "pepnet" =>
            [
                Hyperparameter.Of<PepNetConfig>("ppnet_prior", ["Aware", "Agnostic", "All"], (c, v) => c with { PpNetPrior = Enum.Parse<PpNetPrior>(v) }),
                Hyperparameter.Of<PepNetConfig>("epnet_target", ["Agnostic", "All"], (c, v) => c with { EpNetTarget = Enum.Parse<EpNetTarget>(v) }),
            ],
            "epnet" => [Hyperparameter.Of<EpNetConfig>("target", ["Agnostic", "All"], (c, v) => c with { Target = Enum.Parse<EpNetTarget>(v) })],
            "ppnet" => [Hyperparameter.Of<PpNetConfig>("prior", ["Aware", "Agnostic", "All"], (c, v) => c with { Prior = Enum.Parse<PpNetPrior>(v) })],
            "hamur" => [Hyperparameter.Of<HamurConfig>("rank", ["32", "8", "16"], (c, v) => c with { RankK = int.Parse(v) })],
            // "last": the towers take the backbone's last hidden width (the default); "none": every hidden width is
            // shared and each scenario owns only its output layer (Caruana's task-specific outputs).
            "sharedbottom" => [Hyperparameter.Of<SharedBottomConfig>("towers", ["last", "none"], (c, v) => v == "last"
                ? c : c with { BottomSizes = c.HiddenSizes.ToArray(), TowerSizes = [] })],
            // "scenarios": one expert per scenario (the default); otherwise that many experts.
            "mmoe" => [Hyperparameter.Of<MmoeConfig>("experts", ["scenarios", "4", "8"], (c, v) => v == "scenarios"
                ? c with { Experts = null } : c with { Experts = int.Parse(v) })],
            // SAR-Net: K scenario-shared experts (8, Scenario-Wise-Rec's default, first), L = 2 per scenario kept.
            "sarnet" => [Hyperparameter.Of<SarNetConfig>("shared_experts", ["8", "4", "2"], (c, v) => c with { SharedExperts = int.Parse(v) })],
            // M2M: K expert views (4, m2m.py's num_experts, first).
            "m2m" => [Hyperparameter.Of<M2mConfig>("experts", ["4", "2", "8"], (c, v) => c with { Experts = int.Parse(v) })],
            "adaptdhm" => [Hyperparameter.Of<AdaptDhmConfig>("clusters", ["3", "2", "5"], (c, v) => c with { Clusters = int.Parse(v) })],
            "m3oe" => [Hyperparameter.Of<M3oeConfig>("experts", ["4", "2", "8"], (c, v) => c with { Experts = int.Parse(v) })],
            "adasparse" => [Hyperparameter.Of<AdaSparseConfig>("variant", ["Fusion", "Scaling", "Binarization"], (c, v) => c with { Variant = Enum.Parse<AdaSparseVariant>(v) })],
            "apg" =>
            [
                Hyperparameter.Of<ApgConfig>("rank", ["8", "4", "16"], (c, v) => c with { RankK = int.Parse(v) }),
                Hyperparameter.Of<ApgConfig>("identity_offset", ["false", "true"], (c, v) => c with { CoreIdentityOffset = bool.Parse(v) }),
                Hyperparameter.Of<ApgConfig>("over_parameterize", ["false", "true"], (c, v) => c with { OverParameterize = bool.Parse(v) }),
            ],
            "optmsm" => [Hyperparameter.Of<OptMsmConfig>("lambda_orth", Texts(0.1, 0.01, 1), (c, v) => c with { LambdaOrth = Hyperparameter.Number(v) })],
            var n when n.StartsWith("midpg-", StringComparison.Ordinal) =>
            [
                Hyperparameter.Of<DpgConfig>("lambda", Lambdas.Select(Hyperparameter.Text).ToArray(), (c, v) => c with { Lambda = Hyperparameter.Number(v) }),
                InitGain(),
            ],
            _ => [InitGain()], // dpg-*
        };
        return new SearchSpace(name, [lr, .. own]);
    }

    /// <summary>The DPG backbone's initialisation gain (DpgConfig.WeightInitGain: 2 by default, 1 = nn.Linear's as DNN).</summary>
    static Hyperparameter InitGain() =>
        Hyperparameter.Of<DpgConfig>("init_gain", Texts(2, 1), (c, v) => c with { WeightInitGain = Hyperparameter.Number(v) });
}
