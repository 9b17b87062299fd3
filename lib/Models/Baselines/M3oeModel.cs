// M3oE (Zhang, Liu, Yu, Cai, Zhao, Zhang, Liu, Liu, Zhao, Hu, Jiang, Gai, "M3oE: Multi-Domain Multi-Task
// Mixture-of-Experts Recommendation Framework", SIGIR 2024). Three mixture-of-experts modules learn common (shared),
// domain-aspect and task-aspect preferences; a two-level fusion combines them, with fusion weights learned by AutoML.
// Here the domains are the scenarios and there is one task (the CTR/CVR label). With h1 = [e_ag, e_aw, numeric]:
//   shared experts  f_i = expert_i(h1), i = 1..n;  S_d = sum_i g_d(h1)_i f_i,  g_d = softmax(W_d h1 (+ b_d))
//   domain experts  D_d = dexpert_d(h1), d = 1..S
//   first level (domain balance):  D~_d = a D_d + (1 - a) / (S - 1) sum_{d' != d} D_d',   a = sigmoid(alpha_d)
//   task experts    T_t = texpert_t(h1), t = 1..T;  T~_t = b T_t + (1 - b) / (T - 1) sum_{t' != t} T_t', b = sigmoid(alpha_t)
//   second level (fusion):  z_{d,t} = S_d + w_d D~_d + w_t T~_t,   w_d = sigmoid(gamma_d), w_t = sigmoid(gamma_t)
//   logit = tower_{d,t}(z_{d,t}) for the sample's domain d (and the one task t)
// The balancing weights alpha_d, gamma_d (and gamma_t) are registered parameters trained with the network by the same
// optimiser on the training loss (Scenario-Wise-Rec's m3oe.py does the same with sigmoid(w), w initialised to 1 in its
// scripts); the paper's AutoML search over the structure weights is not run as a separate (bi-level) optimisation.
// One task (M3oeConfig.TaskExpert): with T = 1 the task-level balance has no other task, so T~ = T_1 and b (alpha_t)
// has no effect and is not created; the task module reduces to one task expert on h1 whose output joins the fusion with
// weight w_t (TaskExpert = true, default: the paper's structure with T = 1), or it is left out (TaskExpert = false:
// z_d = S_d + w_d D~_d, as Scenario-Wise-Rec's m3oe.py, whose task experts are commented out). With one scenario the
// domain balance has no other domain either (D~ = D_1, no alpha_d).
// "Same backbone sizes" (as MMoE): every expert defaults to the backbone's hidden sizes but the last (128, 64), the
// towers to the last one (32), so a sample still passes d_in -> 128 -> 64 -> 32 -> 1.
// Hyper-parameters (M3oeConfig): Experts (n = 4, the reference's scripts' expert_num), ExpertSizes, TowerSizes,
// GateBias, DetachGateInput, TaskExpert, InitialBalanceLogit (1: the reference's scripts' exp_d = bal_d = exp_t = 1).
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>M3oE settings. <see cref="ModelConfig.HiddenSizes"/> supplies the defaults of the expert and tower sizes.</summary>
public sealed record M3oeConfig : ModelConfig
{
    /// <summary>Number of shared experts n (decision: 4, Scenario-Wise-Rec's scripts' expert_num; the paper tunes it).</summary>
    public int Experts { get; init; } = 4;

    /// <summary>Hidden sizes of every expert (shared, domain, task; at least one). null = HiddenSizes without its last entry (128, 64).</summary>
    public IReadOnlyList<int>? ExpertSizes { get; init; }

    /// <summary>Hidden sizes of each scenario tower before its logit layer. null = the last hidden size (32).</summary>
    public IReadOnlyList<int>? TowerSizes { get; init; }

    /// <summary>Give each shared-expert gate's linear map a bias. Default false (MMoE's softmax(W_g x), as our MMoE).</summary>
    public bool GateBias { get; init; }

    /// <summary>Stop the gates' gradient into the embeddings (the reference's gates read emb.detach()). Default false.</summary>
    public bool DetachGateInput { get; init; }

    /// <summary>With one task: keep the (single) task expert in the fusion, z = S_d + w_d D~_d + w_t T_1 (true, default:
    /// the paper's structure with T = 1), or drop it, z = S_d + w_d D~_d (false: the reference's reading).</summary>
    public bool TaskExpert { get; init; } = true;

    /// <summary>Initial value of every balancing parameter before its sigmoid (decision: 1, sigmoid(1) = 0.73, the
    /// reference's scripts' exp_d = exp_t = bal_d = bal_t = 1).</summary>
    public double InitialBalanceLogit { get; init; } = 1.0;

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveExpertSizes => ExpertSizes ?? Baseline.SharedPart(HiddenSizes);

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveTowerSizes => TowerSizes ?? Baseline.TowerPart(HiddenSizes);

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        if (Experts < 1) problems.Add($"{nameof(Experts)} must be >= 1; got {Experts}");
        if (!double.IsFinite(InitialBalanceLogit)) problems.Add($"{nameof(InitialBalanceLogit)} must be finite; got {InitialBalanceLogit}");
        if (features is not null && features.ScenarioCount < 1) problems.Add($"M3oE needs at least one scenario (one domain expert, gate and tower each); got {features.ScenarioCount}");
        if (!HasValidHiddenSizes) return problems;
        Baseline.RequirePositive(problems, nameof(ExpertSizes), EffectiveExpertSizes, allowEmpty: false);
        Baseline.RequirePositive(problems, nameof(TowerSizes), EffectiveTowerSizes);
        return problems;
    }
}

/// <summary>M3oE with scenarios as domains and one task. Components: embeddings, experts, gates, towers, balance.</summary>
public sealed class M3oeModel : ScenarioModel, IComponentCounted
{
    public const string KindName = "M3oE";

    private readonly FieldEmbedding embedding;
    private readonly ModuleList<Mlp> experts;          // shared experts (names as MmoeModel's)
    private readonly ModuleList<Linear> gates;         // one per scenario, only when n > 1
    private readonly ModuleList<Mlp> domain_experts;   // one per scenario
    private readonly ModuleList<Mlp> task_experts;     // one (the task) when TaskExpert, else none
    private readonly ModuleList<Mlp> towers;           // one per scenario
    private readonly Parameter? balance_domain;        // alpha_d (only when S > 1)
    private readonly Parameter weight_domain;          // gamma_d
    private readonly Parameter? weight_task;           // gamma_t (only when TaskExpert)
    private readonly M3oeConfig config;
    private readonly FeatureSpec features;

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    public M3oeModel(FeatureSpec features, M3oeConfig config, Device? device = null) : base(nameof(M3oeModel))
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        embedding = new FieldEmbedding(features, config.EmbeddingDim, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        var din = config.InputDim(features);
        var sizes = config.EffectiveExpertSizes;
        int n = config.Experts, S = features.ScenarioCount;
        experts = new ModuleList<Mlp>();
        for (var i = 0; i < n; i++) experts.Add(new Mlp(din, sizes));
        gates = new ModuleList<Linear>();
        if (n > 1)   // a softmax over one expert is identically 1: no gate parameters
            for (var s = 0; s < S; s++) gates.Add(Linear(din, n, hasBias: config.GateBias));
        domain_experts = new ModuleList<Mlp>();
        for (var s = 0; s < S; s++) domain_experts.Add(new Mlp(din, sizes));
        task_experts = new ModuleList<Mlp>();
        if (config.TaskExpert) task_experts.Add(new Mlp(din, sizes));
        towers = new ModuleList<Mlp>();
        for (var s = 0; s < S; s++) towers.Add(new Mlp(sizes[^1], config.EffectiveTowerSizes, 1));
        var init = (float)config.InitialBalanceLogit;
        if (S > 1) balance_domain = Parameter(full(1, init));
        weight_domain = Parameter(full(1, init));
        if (config.TaskExpert) weight_task = Parameter(full(1, init));
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    /// <summary>a = sigmoid(alpha_d), w_d = sigmoid(gamma_d), w_t = sigmoid(gamma_t) (null where the part is absent).</summary>
    public (double? DomainBalance, double DomainWeight, double? TaskWeight) BalanceWeights()
    {
        using var _ = no_grad();
        return (balance_domain is null ? null : balance_domain.sigmoid().item<float>(), weight_domain.sigmoid().item<float>(),
                weight_task is null ? null : weight_task.sigmoid().item<float>());
    }

    public override Tensor forward(ModelInput input)
    {
        var h1 = embedding.call(input.Categorical).BackboneInput(input.Numeric);
        var gateInput = config.DetachGateInput ? h1.detach() : h1;
        int S = features.ScenarioCount;
        var f = stack(experts.Select(e => e.call(h1)).ToArray(), 1);                              // f_i [B, n, w]
        var shared = gates.Count == 0 ? f.select(1, 0).unsqueeze(1).expand(-1, S, -1)
            : stack(gates.Select(g => (functional.softmax(g.call(gateInput), 1).unsqueeze(2) * f).sum(1)).ToArray(), 1);   // S_d [B, S, w]
        var d = stack(domain_experts.Select(e => e.call(h1)).ToArray(), 1);                       // D_d [B, S, w]
        if (balance_domain is not null)
        {
            var a = balance_domain.sigmoid();
            d = a * d + (1 - a) / (S - 1) * (d.sum(1, keepdim: true) - d);                        // D~_d
        }
        var z = shared + weight_domain.sigmoid() * d;                                             // [B, S, w]
        if (weight_task is not null)
            z = z + weight_task.sigmoid() * task_experts[0].call(h1).unsqueeze(1);                // + w_t T~ (T~ = T_1)
        // Every tower runs on the whole batch (S is small); each sample keeps its own scenario's logit.
        var logits = stack(towers.Select((t, s) => t.call(z.select(1, s)).squeeze(1)).ToArray(), 1);
        return Baseline.PickScenario(logits, input.Scenario);
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this,
        n => n.StartsWith("towers.", StringComparison.Ordinal) ? BaselineComponent.Towers
            : n.StartsWith("gates.", StringComparison.Ordinal) ? BaselineComponent.Gates
            : n.StartsWith("balance_", StringComparison.Ordinal) || n.StartsWith("weight_", StringComparison.Ordinal) ? BaselineComponent.Balance
            : BaselineComponent.Experts,
        BaselineComponent.Experts, BaselineComponent.Gates, BaselineComponent.Towers, BaselineComponent.Balance);

    /// <summary>With S scenarios, n shared experts of sizes e_1..e_L, tower sizes t...:
    ///   experts = (n + S + [TaskExpert]) mlp(d_in, e_1..e_L, none)
    ///   gates   = S (d_in n + [GateBias] n)   [only when n > 1]
    ///   towers  = S mlp(e_L, t..., 1)
    ///   balance = [S > 1] (alpha_d) + 1 (gamma_d) + [TaskExpert] (gamma_t).</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, M3oeConfig config)
    {
        long S = features.ScenarioCount, n = config.Experts, din = config.InputDim(features), task = config.TaskExpert ? 1 : 0;
        var sizes = config.EffectiveExpertSizes;
        return Baseline.WithTotal(new()
        {
            [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
            [BaselineComponent.Experts] = (n + S + task) * Baseline.MlpCount(din, sizes, null),
            [BaselineComponent.Gates] = n > 1 ? S * (din * n + (config.GateBias ? n : 0)) : 0,
            [BaselineComponent.Towers] = S * Baseline.MlpCount(sizes[^1], config.EffectiveTowerSizes, 1),
            [BaselineComponent.Balance] = (S > 1 ? 1 : 0) + 1 + task,
        });
    }
}
