// The models that this library and Scenario-Wise-Rec (shared/reference/scenario-wise-rec) both implement, as compared
// by `reproduce scenario-wise-rec`. Each pair says how ours is configured and what differs by design; the full
// list of differences, with file and line on both sides, is docs/reproduction/scenario-wise-rec-differences.md.
using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;

namespace MiDpg.Research.Training.Experiments;

/// <summary>The pairs of <c>reproduce scenario-wise-rec</c>.</summary>
public static class ScenarioWiseRecPairs
{
    public static IReadOnlyList<ReferencePair> All { get; } =
    [
        new("star", "star", "star", new ModelOptions(), "defaults (the paper's partitioned normalisation: per-scenario batch statistics, running averages at test time)",
            "the reference normalises every scenario's path with the whole batch's statistics, also at test time, reads all features in the auxiliary network, " +
            "puts a per-scenario BatchNorm and a ReLU after every layer (the output layer included) and initialises W_p with Kaiming-uniform instead of ones."),
        new("ple", "ple", "ple", new ModelOptions(), "defaults",
            "the reference's experts, gates and towers are its MLP block, with a BatchNorm after every linear layer (the gates' too, before their softmax)."),
        new("adasparse", "adasparse", "adasparse", new ModelOptions(), "defaults (Fusion pruner)",
            "the reference's backbone MLP has a BatchNorm after every linear layer; its pruner schedule and the scale of its fusion gate differ (see the differences file)."),
        new("epnet", "pepnet", "epnet", new ModelOptions().With<PepNetConfig>(c => c with { UsePpNet = false }), "PEPNet with `UsePpNet = false`",
            "the reference's backbone MLP has a BatchNorm after every linear layer."),
        new("ppnet", "pepnet", "ppnet", new ModelOptions().With<PepNetConfig>(c => c with { UseEpNet = false }), "PEPNet with `UseEpNet = false`",
            "the reference's PPNet gates read user and item ids only and it has BatchNorm after every layer of its towers."),
    ];
}
