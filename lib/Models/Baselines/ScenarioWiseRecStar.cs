// STAR as Scenario-Wise-Rec implements it (shared/reference/scenario-wise-rec, models/multi_domain/star.py), the
// compatibility flavour of StarModel (StarConfig.Flavour = StarFlavour.ScenarioWiseRec). It exists to show that our
// implementation agrees with theirs once their departures from the STAR paper are reproduced
// (docs/reproduction/scenario-wise-rec.md); the default STAR stays the paper's (StarModel.cs). Their departures:
//   - input normalisation with the statistics of the whole batch (one mean and biased variance over all rows, every
//     scenario alike), eps 1e-6, also in evaluation (no running statistics), then the per-scenario affine
//     (gamma ⊙ gamma_p) z + (beta + beta_p);
//   - every scenario's path carries the whole batch through all layers (z_p = h_p (W ⊙ W_p) + b + b_p), each layer,
//     the logit layer included, followed by that path's own BatchNorm1d (batch statistics in training, running ones in
//     evaluation) and a ReLU; a row takes the logit of its scenario's path, which is therefore never negative;
//   - the auxiliary network reads all features (h1) through Linear-BatchNorm-ReLU blocks and a linear logit layer;
//   - W and W_p are both drawn Kaiming-uniform as (d_m, d_n) tensors (PyTorch takes fan_in = d_n there: bound
//     sqrt(6 / d_n)), b and b_p from U(0, 1).
// Every path's BatchNorm over [B, S, d] is one BatchNorm1d over S*d features (per-feature statistics over the batch).
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>Which STAR <see cref="StarModel"/> builds.</summary>
public enum StarFlavour
{
    /// <summary>The paper's STAR (default): partitioned normalisation with per-scenario statistics, a linear logit.</summary>
    Paper,
    /// <summary>Scenario-Wise-Rec's STAR (see <see cref="ScenarioWiseRecStar"/>), for the side-by-side comparison.</summary>
    ScenarioWiseRec,
}

/// <summary>Scenario-Wise-Rec's STAR network from h1 and the scenario to the logit (main path + auxiliary network).
/// Components by name: <c>norm_*</c> (normalisation), <c>shared_*</c> (backbone), <c>scenario_*</c> (scenario-specific),
/// <c>path_norms</c> (normalisation), <c>auxiliary</c>.</summary>
public sealed class ScenarioWiseRecStar : Module<Tensor, Tensor, Tensor>
{
    /// <summary>eps of the input normalisation in star.py.</summary>
    public const double InputEps = 1e-6;

    private readonly Parameter norm_gamma, norm_beta, norm_scenario_gamma, norm_scenario_beta;
    private readonly ParameterList shared_weight, shared_bias, scenario_weight, scenario_bias;
    private readonly ModuleList<BatchNorm1d> path_norms;
    private readonly Sequential auxiliary;
    private readonly int scenarios;
    private readonly int[] widths;

    /// <param name="inputDim">Width of h1 (all embeddings and numeric fields).</param>
    /// <param name="hiddenSizes">FCN hidden sizes; a star logit layer (width 1) follows.</param>
    /// <param name="auxiliaryHiddenSizes">Hidden sizes of the auxiliary network on h1.</param>
    public ScenarioWiseRecStar(int inputDim, IReadOnlyList<int> hiddenSizes, IReadOnlyList<int> auxiliaryHiddenSizes, int scenarios)
        : base(nameof(ScenarioWiseRecStar))
    {
        this.scenarios = scenarios;
        widths = [inputDim, .. hiddenSizes, 1];
        norm_gamma = Parameter(ones(inputDim));
        norm_beta = Parameter(zeros(inputDim));
        norm_scenario_gamma = Parameter(ones(scenarios, inputDim));
        norm_scenario_beta = Parameter(zeros(scenarios, inputDim));
        shared_weight = new ParameterList();
        shared_bias = new ParameterList();
        scenario_weight = new ParameterList();
        scenario_bias = new ParameterList();
        path_norms = new ModuleList<BatchNorm1d>();
        for (var l = 0; l + 1 < widths.Length; l++)
        {
            var (dm, dn) = (widths[l], widths[l + 1]);
            var bound = Math.Sqrt(6.0 / dn);                        // kaiming_uniform_ of a (d_m, d_n) tensor: fan_in = d_n
            shared_weight.Add(Parameter(empty(dm, dn).uniform_(-bound, bound)));
            shared_bias.Add(Parameter(empty(dn).uniform_(0, 1)));
            scenario_weight.Add(Parameter(empty(scenarios, dm, dn).uniform_(-bound, bound)));
            scenario_bias.Add(Parameter(empty(scenarios, dn).uniform_(0, 1)));
            path_norms.Add(BatchNorm1d(scenarios * dn));
        }
        var blocks = new List<Module<Tensor, Tensor>>();
        var width = inputDim;
        foreach (var h in auxiliaryHiddenSizes)
        {
            blocks.Add(Linear(width, h));
            blocks.Add(BatchNorm1d(h));
            blocks.Add(ReLU());
            width = h;
        }
        blocks.Add(Linear(width, 1));
        auxiliary = Sequential(blocks);
        RegisterComponents();
    }

    /// <summary>Logits [B]: the ReLU'd logit of each row's scenario path plus the auxiliary logit.</summary>
    public override Tensor forward(Tensor h1, Tensor scenario)
    {
        var batch = h1.shape[0];
        var mean = h1.mean([0]);
        var centred = h1 - mean;
        var normalised = centred * ((centred * centred).mean([0]) + InputEps).rsqrt();                       // [B, d]
        var h = normalised.unsqueeze(1) * (norm_gamma * norm_scenario_gamma).unsqueeze(0)
                + (norm_beta + norm_scenario_beta).unsqueeze(0);                                             // [B, S, d]
        for (var l = 0; l < path_norms.Count; l++)
        {
            var weights = shared_weight[l].unsqueeze(0) * scenario_weight[l];                                  // [S, d_m, d_n]
            var z = einsum("bsi,sij->bsj", h, weights) + (shared_bias[l] + scenario_bias[l]).unsqueeze(0);     // [B, S, d_n]
            h = functional.relu(path_norms[l].call(z.reshape(batch, scenarios * widths[l + 1])).view(batch, scenarios, widths[l + 1]));
        }
        var main = Baseline.PickScenario(h, scenario.to_type(ScalarType.Int64)).squeeze(1);                   // [B]
        return main + auxiliary.call(h1).squeeze(1);
    }

    /// <summary>Parameters by component for FCN widths d_0 (input) .. 1 (logit), S scenarios, auxiliary sizes a:
    ///   backbone = sum (d_m d_n + d_n); scenario_specific = S sum (d_m d_n + d_n);
    ///   normalisation = 2 d_0 (1 + S) + sum_{layers} 2 S d_n; auxiliary = mlp(d_0, a, 1) + sum 2 a_i.</summary>
    public static (long Backbone, long ScenarioSpecific, long Normalisation, long Auxiliary) Formula(int inputDim, IReadOnlyList<int> hiddenSizes,
        IReadOnlyList<int> auxiliaryHiddenSizes, long scenarios)
    {
        int[] w = [inputDim, .. hiddenSizes, 1];
        long backbone = 0, specific = 0, norm = 2L * inputDim * (1 + scenarios);
        for (var l = 0; l + 1 < w.Length; l++)
        {
            backbone += (long)w[l] * w[l + 1] + w[l + 1];
            specific += scenarios * ((long)w[l] * w[l + 1] + w[l + 1]);
            norm += 2 * scenarios * w[l + 1];
        }
        return (backbone, specific, norm, Baseline.MlpCount(inputDim, auxiliaryHiddenSizes, 1) + 2L * auxiliaryHiddenSizes.Sum());
    }
}
