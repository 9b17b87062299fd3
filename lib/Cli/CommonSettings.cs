using System.ComponentModel;
using System.Globalization;
using MiDpg.Research.Training;
using MiDpg.Research.Training.Experiments;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>Options shared by the commands that train.</summary>
public class TrainingSettings : CommandSettings
{
    [CommandOption("--data <DATASET>")]
    [Description("Dataset: synthetic[[,rows=N,scenarios=S,groups=G,users=U,items=I,interaction=X,shared=F,item-effect=X,numeric-effect=X,segment-effect=X,scenario-noise=X,seed=K]] (default), douban (the shipped sample), amazon[[:path]] (marketBias Electronics), ijcai[[:path]], the Scenario-Wise-Rec benchmark's preprocessed files movielens[[:path]] (MovieLens-1M), kuairand[[:path]] (KuaiRand-1K), ali-ccp[[:path]] (folder or train file), amazon5[[:path]] (Amazon 5-core Beauty/Clothing/Health), douban:path (the full file), mind[[:path]] (without a path: the committed sample or fixture, with a note), file:SCHEMA.json (your own data, declared by a schema file; `data describe FILE` writes a starter). Several datasets: separate them with ';'.")]
    public string Data { get; init; } = "synthetic";

    [CommandOption("--quick")]
    [Description("Quick mode: smaller synthetic data, fewer epochs.")]
    public bool Quick { get; init; }

    [CommandOption("--epochs <N>")]
    [Description("Maximum epochs (early stopping on validation AUC usually stops sooner). Default 10, quick 3.")]
    public int? Epochs { get; init; }

    [CommandOption("--patience <N>")]
    [Description("Epochs without validation-AUC gain before stopping. Default 2, quick 1.")]
    public int? Patience { get; init; }

    [CommandOption("--batch-size <N>")]
    [Description("Mini-batch size (paper: 512).")]
    public int BatchSize { get; init; } = 512;

    [CommandOption("--lr <RATE>")]
    [Description("Adam learning rate (paper: 1e-3).")]
    public double LearningRate { get; init; } = 1e-3;

    [CommandOption("--threads <N>")]
    [Description("Threads for training: torch intra-op threads, or with --shards the threads of all shards together (default: TorchSharp's choice).")]
    public int? Threads { get; init; }

    [CommandOption("--shards <N>")]
    [Description("Data-parallel shards per mini-batch, trained concurrently on their own threads with their gradients summed (default 1). Faster on a small CPU with --threads equal to the cores; models whose loss couples a batch's rows (STAR) train unsharded.")]
    public int Shards { get; init; } = 1;

    [CommandOption("--embedding-dim <N>")]
    [Description("Embedding size of every field (default 16).")]
    public int? EmbeddingDim { get; init; }

    [CommandOption("--hidden <SIZES>")]
    [Description("Backbone hidden sizes, e.g. 128,64,32 (default).")]
    public string? Hidden { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        if (Epochs is < 1) return Spectre.Console.ValidationResult.Error("--epochs must be at least 1.");
        if (Patience is < 1) return Spectre.Console.ValidationResult.Error("--patience must be at least 1.");
        if (BatchSize < 1) return Spectre.Console.ValidationResult.Error("--batch-size must be at least 1.");
        if (!(LearningRate > 0)) return Spectre.Console.ValidationResult.Error("--lr must be positive.");
        if (Threads is < 1) return Spectre.Console.ValidationResult.Error("--threads must be at least 1.");
        if (Shards < 1 || Shards > BatchSize) return Spectre.Console.ValidationResult.Error($"--shards must be between 1 and --batch-size ({BatchSize}).");
        if (EmbeddingDim is < 1) return Spectre.Console.ValidationResult.Error("--embedding-dim must be at least 1.");
        if (Hidden is not null && ParseList(Hidden) is null) return Spectre.Console.ValidationResult.Error($"--hidden '{Hidden}' must be a comma-separated list of positive integers.");
        return Spectre.Console.ValidationResult.Success();
    }

    internal static int[]? ParseList(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1) return null;
        return values.Length == 0 ? null : values;
    }

    internal TrainerConfig Trainer(int seed = 0) => new TrainerConfig
    {
        MaxEpochs = Epochs ?? (Quick ? 3 : 10),
        Patience = Patience ?? (Quick ? 1 : 2),
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        Threads = Threads,
        Shards = Shards,
        Seed = seed,
    }.Validated();

    internal ModelSettings ModelSettings() => new(EmbeddingDim, Hidden is null ? null : ParseList(Hidden));

    internal IReadOnlyList<DatasetSource> Datasets()
    {
        try
        {
            var sources = Data.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(d => DatasetSource.Parse(d, Quick)).ToList();
            foreach (var source in sources)
                if (source.Notice is not null) Console.Error.WriteLine($"note: {source.Notice}");
            return sources;
        }
        catch (ArgumentException e) { throw new CliError($"--data: {e.Message}"); }
    }
}
