// The models that this library and Scenario-Wise-Rec (shared/reference/scenario-wise-rec) both implement, as compared
// by `reproduce scenario-wise-rec`. Each pair says how ours is configured, how the reference is driven, and what differs
// by design; the full list, with file and line on both sides, is docs/reproduction/scenario-wise-rec-differences.md.
using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;

namespace MiDpg.Research.Training.Experiments;

/// <summary>The pairs of <c>reproduce scenario-wise-rec</c>.</summary>
public static class ScenarioWiseRecPairs
{
    static readonly ModelOptions ReferenceAdapter = new ModelOptions().With<HamurConfig>(c => c with
    {
        AdapterLayers = [1], AdapterNorm = HamurNorm.WholeBatch, ScenarioSpecificFactors = false,
    });

    static readonly ModelOptions WideExperts = new ModelOptions().With<PleConfig>(c => c with { ExpertSizes = [128, 128], TowerSizes = [32] });

    public static IReadOnlyList<ReferencePair> All { get; } =
    [
        new("star", "star", "star", new ModelOptions(), "defaults: partitioned normalisation with per-scenario batch statistics, running averages at test time",
            "star", [],
            "the reference normalises with the whole batch's statistics (also at test time), follows every layer, the output layer included, " +
            "with a per-scenario BatchNorm and a ReLU (its main logit is never negative), reads all features in the auxiliary network, and " +
            "initialises W_p Kaiming-uniform with U(0, 1) biases instead of W_p = 1, b_p = 0."),
        new("star (Scenario-Wise-Rec's)", "star-swr", "star", new ModelOptions().With<StarConfig>(c => c with { Flavour = StarFlavour.ScenarioWiseRec }),
            "`StarConfig.Flavour = ScenarioWiseRec` (the reference's STAR reproduced: same outputs and gradients as its star.py on the same weights)",
            "star", [],
            "none by design: the compatibility flavour computes what the reference computes (tests/Baselines/ScenarioWiseRecStarTests.cs); " +
            "what remains is each side's own row order within an epoch, early stopping's minimum gain (ours 1e-4) and seed noise."),
        new("ple", "ple", "ple", new ModelOptions(), "defaults: levels 128, 64; towers 32",
            "ple", [],
            "the reference's experts, gates (before their softmax) and towers carry a BatchNorm after every linear layer, and its experts " +
            "have one width at every level (128 → 128 where ours is 128 → 64)."),
        // Diagnostics: the reference's architecture matched where ours allows, then its BatchNorm taken out (--no-batchnorm).
        new("ple (reference's widths)", "ple-wide", "ple", WideExperts, "`ExpertSizes = [128, 128]`: the reference's expert widths",
            "ple", [],
            "the architectures now match but for the reference's BatchNorm after every linear layer of experts, gates and towers."),
        new("ple (reference's widths; no BatchNorm)", "ple-wide", "ple", WideExperts, "`ExpertSizes = [128, 128]`: the reference's expert widths",
            "ple", ["--no-batchnorm"],
            "none in the architecture (the reference's BatchNorms replaced by the identity); the training loops differ as for every pair."),
        new("adasparse", "adasparse", "adasparse", new ModelOptions(), "defaults: Fusion pruners, ε 1e-2, β 2, α = min(10, 1 + epoch)",
            "adasparse", [],
            "the reference's backbone has a BatchNorm after every linear layer, its pruners have no bias and prune only the agnostic " +
            "embeddings, its factors below ε change sign instead of becoming 0, and its α ramps within each epoch without a cap."),
        new("adasparse (reference without BatchNorm)", "adasparse", "adasparse", new ModelOptions(), "defaults: Fusion pruners, ε 1e-2, β 2, α = min(10, 1 + epoch)",
            "adasparse", ["--no-batchnorm"],
            "without its BatchNorms the reference still has bias-free pruners that prune only the agnostic embeddings, " +
            "sign-flipped factors below ε and an α that ramps within each epoch without a cap."),
        new("epnet", "epnet", "epnet", new ModelOptions(), "defaults: EPNet alone (PEPNet's network with `UsePpNet = false`): gate on e_ag, gate width 64",
            "epnet", [],
            "the reference's EPNet has no hidden layer: `MLP(agn_dims, fcn_dims)` binds the hidden sizes to `output_layer`, so its backbone " +
            "is one linear layer on the gated agnostic embeddings, and e_aw never reaches it."),
        new("epnet (repaired)", "epnet", "epnet", new ModelOptions(), "defaults: EPNet alone (PEPNet's network with `UsePpNet = false`): gate on e_ag, gate width 64",
            "epnet", ["--repair-epnet"],
            "with its hidden layers restored (`--repair-epnet`: MLP(agn_dims, hidden)) the reference still feeds only the gated agnostic " +
            "embeddings to its backbone (ours also e_aw), has BatchNorm after every hidden layer and a gate as wide as its output."),
        new("epnet (repaired; no BatchNorm)", "epnet", "epnet", new ModelOptions(), "defaults: EPNet alone (PEPNet's network with `UsePpNet = false`): gate on e_ag, gate width 64",
            "epnet", ["--repair-epnet", "--no-batchnorm"],
            "with hidden layers and without BatchNorm, the reference's backbone still reads only the gated agnostic embeddings " +
            "(ours [gated e_ag, e_aw]) and its gate's hidden layer is as wide as its output (ours 64)."),
        new("ppnet", "ppnet", "ppnet", new ModelOptions(), "defaults: PPNet alone (PEPNet's network with `UseEpNet = false`): prior e_aw, context each layer's input, gate width 64",
            "ppnet", [],
            "the reference's PPNet has a complete tower per scenario whose input is the gate input with the agnostic embeddings detached, " +
            "so those embeddings never receive a gradient and stay at their initialisation; its gates read one fixed context, not each layer's input."),
        new("sharedbottom", "sharedbottom", "sharedbottom", new ModelOptions(), "defaults: bottom 128, 64; one tower 32 per scenario",
            "sharedbottom", [],
            "the reference's bottom and towers carry a BatchNorm after every hidden linear layer; the architecture is otherwise the same " +
            "(bottom 128 → 64, one 32 → 1 tower per scenario, each sample scored by its own scenario's tower)."),
        new("sharedbottom (reference without BatchNorm)", "sharedbottom", "sharedbottom", new ModelOptions(), "defaults: bottom 128, 64; one tower 32 per scenario",
            "sharedbottom", ["--no-batchnorm"],
            "none in the architecture (the reference's BatchNorms replaced by the identity); the training loops differ as for every pair."),
        new("mmoe", "mmoe", "mmoe", new ModelOptions(), "defaults: one expert 128, 64 per scenario; one bias-free gate and one tower 32 per scenario",
            "mmoe", [],
            "the reference's experts and towers carry a BatchNorm after every hidden linear layer, and its gates are Linear (with a bias) → " +
            "BatchNorm → softmax, where ours are the paper's softmax(W_g h1) without bias or normalisation."),
        new("mmoe (reference without BatchNorm)", "mmoe", "mmoe", new ModelOptions(), "defaults: one expert 128, 64 per scenario; one bias-free gate and one tower 32 per scenario",
            "mmoe", ["--no-batchnorm"],
            "without its BatchNorms the reference differs only by its gates' biases (ours: the paper's bias-free W_g h1, `MmoeConfig.GateBias = false`)."),
        new("sarnet", "sarnet", "sarnet", new ModelOptions(), "defaults: scenario-query attention over the field embeddings, per-scenario scale and shift (identity start), 8 shared + 2 per-scenario experts 128, 64, one gate on x~, tower 32",
            "sarnet", [],
            "the reference has no attention (the transformation reads the plain embeddings, sarnet.py:62-71; ours appends the scenario-query " +
            "attention over the field embeddings); its scale and shift start Xavier-uniform and U(0, 1) (sarnet.py:55-58; ours 1 and 0); its " +
            "experts are BatchNorm + Linear(input, 16) without activation (sarnet.py:8-21; ours Linear-ReLU 128 → 64), and every scenario's " +
            "experts run on the whole batch, so their BatchNorm statistics mix scenarios (sarnet.py:66-76,84-86); its tower is 16 → 32 → 32 → 1 " +
            "with BatchNorm (sarnet.py:52; ours 64 → 32 → 1). The gate (Linear with bias on the transformed input, softmax) is the same (sarnet.py:51,89)."),
        new("sarnet (without attention; reference without BatchNorm)", "sarnet-noattn", "sarnet", new ModelOptions().With<SarNetConfig>(c => c with { Attention = SarNetAttention.None }),
            "`Attention = None`: the reference's structure (no attention module)",
            "sarnet", ["--no-batchnorm"],
            "both without attention and the reference without BatchNorm: its experts stay linear Linear(input, 16) (sarnet.py:16; ours " +
            "Linear-ReLU 128 → 64), its tower 16 → 32 → 32 → 1 (sarnet.py:52), its scale and shift start Xavier-uniform and U(0, 1) (sarnet.py:55-58)."),
        new("m2m", "m2m", "m2m", new ModelOptions(), "defaults: field-sequence encoder (2 layers, 4 heads, feed-forward 16), 4 experts 128, 64, S = Mlp(e_aw, 32), learned task embedding, meta attention hidden 32, one meta tower layer, tower 32",
            "m2m", [],
            "the reference's nn.Transformer (2 encoder + 2 decoder layers, d_model = the whole input width, dropout 0.1) reads the 2-D batch " +
            "as one sequence, so its samples attend to each other (m2m.py:21,48; ours: encoder layers over each sample's field tokens, no dropout); " +
            "its experts are one Linear-BN-LeakyReLU layer (m2m.py:22-24; ours 128 → 64, ReLU); S and T both come from the scenario field's " +
            "embedding alone through Linear-BN-LeakyReLU (m2m.py:25-28,43,49-50; ours S from e_aw, T from a learned task embedding); its " +
            "weight generators are Linear-BN-LeakyReLU (m2m.py:29-37; ours linear V S + c), its meta attention is 2d wide with v = 1 at the " +
            "start (m2m.py:29-33,57; ours 32, nn.Linear init), σ = LeakyReLU(0.1) (m2m.py:38,59,67; ours ReLU) and its output MLP 64 → 32 → 1 " +
            "with BatchNorm (m2m.py:40; ours 64 → 32 → 1)."),
        // Diagnostics for M2M: the reference's transformer kept on each sample (--m2m-per-sample), then its BatchNorm taken out.
        new("m2m (reference per sample)", "m2m", "m2m", new ModelOptions(), "defaults: field-sequence encoder (2 layers, 4 heads, feed-forward 16), 4 experts 128, 64, S = Mlp(e_aw, 32), learned task embedding, meta attention hidden 32, one meta tower layer, tower 32",
            "m2m", ["--m2m-per-sample"],
            "the reference's transformer now reads each sample as a one-token sequence (same parameters; no sample sees another, so its " +
            "attention is the identity mixing of one token), where ours attends over each sample's field tokens; the rest of `m2m`'s list " +
            "remains: one-layer experts, S and T from the scenario embedding, Linear-BN-LeakyReLU generators, meta attention 2d wide, " +
            "LeakyReLU(0.1), BatchNorm."),
        new("m2m (reference per sample; no BatchNorm)", "m2m", "m2m", new ModelOptions(), "defaults: field-sequence encoder (2 layers, 4 heads, feed-forward 16), 4 experts 128, 64, S = Mlp(e_aw, 32), learned task embedding, meta attention hidden 32, one meta tower layer, tower 32",
            "m2m", ["--m2m-per-sample", "--no-batchnorm"],
            "as `m2m (reference per sample)` with the reference's BatchNorms replaced by the identity: its one-layer experts, S and T from " +
            "the scenario embedding alone, generators with LeakyReLU, meta attention 2d wide with v = 1 and LeakyReLU(0.1) remain."),
        new("hamur", "hamur", "hamur", new ModelOptions(),
            "defaults: DNN 128-64-32 with an adapter cell (bottleneck 32, rank 32, sigmoid, domain norm) after every hidden layer, per-scenario U, V, b, one hyper-network 64 on all features",
            "hamur", [],
            "the reference (HamurSmall, what its scripts build) has a complete backbone per domain, every sample run through all of them and " +
            "the output picked by domain (hamur.py:262-273, 317-376), with a BatchNorm after each hidden layer; only two hidden layers (the driver " +
            "gives it 128, 64) and one adapter cell after the second (hamur.py:344-367), where ours shares one 128-64-32 backbone with a cell after " +
            "each layer; its U, V and biases are shared by all domains (hamur.py:277-285, 300-302; ours one set per scenario) and initialised to " +
            "ones (ours N(0, 1/fan_in)); its adapter norm uses the whole batch's mean and unbiased variance also at test time with one shared " +
            "scale and shift (hamur.py:360-364; ours per-scenario statistics, running averages at test time, shared and per-scenario scale and shift), " +
            "and keeps an up-projection bias the norm cancels (hamur.py:302,357); its hyper-network puts BatchNorm and ReLU after every layer, " +
            "its k x k output included (hamur.py:290-297: a non-negative core), ours Linear-ReLU-Linear."),
        // Diagnostics for HAMUR: our adapter moved towards the reference's, one choice and then three (the reference unchanged).
        new("hamur (whole-batch adapter norm)", "hamur-wholebatch", "hamur", new ModelOptions().With<HamurConfig>(c => c with { AdapterNorm = HamurNorm.WholeBatch }),
            "`AdapterNorm = WholeBatch`: the reference's adapter norm (whole-batch mean and unbiased variance, also at test time; one scale and shift)",
            "hamur", [],
            "as `hamur` but for the adapter norm, which is now the reference's: the backbone per domain with BatchNorm, one cell after " +
            "the second of two layers (ours a cell after each of three), per-scenario U, V, b (the reference's shared, all ones at the start) " +
            "and the hyper-network's BatchNorm and ReLU on its k x k output remain."),
        new("hamur (reference's adapter)", "hamur-refadapter", "hamur", ReferenceAdapter,
            "`AdapterLayers = [1]`, `AdapterNorm = WholeBatch`, `ScenarioSpecificFactors = false`: one cell after the second hidden layer, " +
            "the reference's norm, one U, V, b for all scenarios",
            "hamur", [],
            "the adapter is now placed and normalised as the reference's and its factors are shared; what remains is the reference's " +
            "complete backbone per domain with BatchNorm (ours one shared 128-64-32 backbone, so a 32-wide layer follows the cell), " +
            "U and V initialised to ones (ours N(0, 1/fan_in)) and its hyper-network's BatchNorm and ReLU on the k x k output."),
        new("adaptdhm", "adaptdhm", "adaptdhm", new ModelOptions(),
            "defaults: K = 3 clusters, hard routing, centre momentum β 0.9, 3 routing iterations, W^shared ⊙ W^(k) on every layer of 128-64-32 → 1",
            "adaptdhm", [],
            "the reference's layers have no bias (its biases are created but never used, adaptdhm.py:42-46,104-106), it initialises both W^shared " +
            "and W^(k) Xavier-uniform (adaptdhm.py:45,61) where ours starts W^(k) = 1 with W^shared as nn.Linear's default, and its centres are a " +
            "plain tensor (adaptdhm.py:33), not saved with the weights, so its best epoch is tested with the last epoch's centres; ours commits " +
            "the batch's centre update after the optimiser step (the same centres route the batch on both sides)."),
        // Diagnostic for AdaptDHM: our layers started and computed as the reference's (no bias, Xavier factors).
        new("adaptdhm (reference's initialisation; no biases)", "adaptdhm-refinit", "adaptdhm",
            new ModelOptions().With<AdaptDhmConfig>(c => c with { Initialisation = AdaptDhmInitialisation.Xavier, Biases = false }),
            "`Initialisation = Xavier`, `Biases = false`: W^shared and W^(k) Xavier-uniform (ReLU gain), no bias in any layer, as the reference computes",
            "adaptdhm", [],
            "the layers now start and compute as the reference's; what remains is that its centres are not saved with the weights, so its " +
            "best epoch is tested with the last epoch's centres (ours with the best epoch's)."),
        new("m3oe", "m3oe", "m3oe", new ModelOptions(),
            "defaults: 4 shared experts 128-64, one domain expert per scenario, one task expert, bias-free gates, towers 32, balance weights σ(1)",
            "m3oe", [],
            "the reference puts a STAR layer (W_d ⊙ W_shared, d_in → 128) with a 128 → 64 block and a d_in → 64 skip connection under its " +
            "experts (m3oe.py:95-104,145-150), so its experts are 64 → 32 (ours 128 → 64 on the embeddings), follows every linear layer with " +
            "LayerNorm (m3oe.py:59-61,129), gives its towers an extra 32 → 32 layer (m3oe.py:126-131), gates with a bias on the detached bottom " +
            "output (m3oe.py:120-122,152), and has no task expert (commented out, m3oe.py:163-171; its exp_t and bal_t weights get no gradient)."),
        new("m3oe (reference without LayerNorm)", "m3oe", "m3oe", new ModelOptions(),
            "defaults: 4 shared experts 128-64, one domain expert per scenario, one task expert, bias-free gates, towers 32, balance weights σ(1)",
            "m3oe", ["--no-layernorm"],
            "the reference's LayerNorms replaced by the identity; its STAR bottom (d_in → 128 → 64 with a skip connection) under 64 → 32 " +
            "experts, its towers' extra 32 → 32 layer, its gates' bias on the detached bottom output and the missing task expert remain."),
        new("m3oe (reference's gates; no task expert)", "m3oe-refgates", "m3oe",
            new ModelOptions().With<M3oeConfig>(c => c with { GateBias = true, DetachGateInput = true, TaskExpert = false }),
            "`GateBias = true`, `DetachGateInput = true`, `TaskExpert = false`: the reference's gates and fusion",
            "m3oe", ["--no-layernorm"],
            "gates and fusion now as the reference's, whose LayerNorms are replaced by the identity; its STAR bottom under 64 → 32 experts " +
            "and its towers' extra 32 → 32 layer remain."),
    ];
}
